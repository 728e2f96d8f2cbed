"""Teaching on top of the modes: practice circuits as data (quiz) and grading a class's files
(grade)."""
