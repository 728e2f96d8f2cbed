"""The Korean catalog's translations, kept as a table that writes gradtrace/locale/ko/LC_MESSAGES/
gradtrace.po (and its compiled gradtrace.mo) from the extracted template (python tools/ko.py
after pybabel extract; see CONTRIBUTING.md). Terms follow the lecture notes in ../shared/seeds:
gradient, upstream, local, downstream, gate, distributor, router, switcher, kink and the like
stay in English, as the notes write them, inside Korean sentences. The glossary is in
docs/glossary.ko.md."""

KO = {
    "({count} characters)": "({count}자)",
    "answers": "답",
    "at {bindings}": "{bindings}일 때",
    "computes": "계산",
    "gradient check: central difference, h = {step}": "gradient check: central difference (중심 차분), h = {step}",
    "input": "입력",
    "it is {what}": "{what}입니다",
    "its shape is {shape}": "shape는 {shape}",
    "local Jacobians": "local Jacobian",
    "local Jacobians (described, never built)": "local Jacobian (설명만 하고 만들지는 않음)",
    "node": "노드",
    "not zero": "0이 아님",
    "not {rule}": "{rule} 기준에 맞지 않음",
    "note: {name} sits at a kink ({kinks}): the numerical gradient is unreliable there, so this is not counted as "
    "a failure": "참고: {name}이(가) kink ({kinks})에 있습니다. 여기서는 numerical gradient를 믿을 수 없으므로 "
                 "실패로 세지 않습니다",
    "note: {node} = {expr}: {kink}": "참고: {node} = {expr}: {kink}",
    "pattern": "패턴",
    "relative error": "상대 오차",
    "shape": "shape",
    "shape {shape}": "shape {shape}",
    "symbolic": "기호 (symbolic)",
    "value": "값",
    "variable": "변수",
    "verdict": "판정",
    "{count} of {total} variables, chosen at random": "변수 {total}개 중 무작위로 고른 {count}개",
    "{name} = {given}   ({refers_to} is {true}{why})": "{name} = {given}   ({refers_to}의 값은 {true}{why})",
    "{size} if built": "만들면 {size}",
    "{title}: not printed, {entries} entries ({size}) is more than {limit}":
        "{title}: 출력하지 않음, 원소 {entries}개 ({size})는 {limit}개보다 많습니다",
    "… and {count} more": "… 외 {count}개",
    # gradient check verdicts (check.BANDS)
    "good": "좋음",
    "fine at kinks": "kink라면 괜찮음",
    "suspicious": "의심스러움",
    "wrong": "틀림",
    # the op table's kink conventions
    "abs'(0) is taken as 0": "abs'(0)은 0으로 둡니다",
    "sign'(0) is taken as 0": "sign'(0)은 0으로 둡니다",
    "heaviside'(0) is taken as 0": "heaviside'(0)은 0으로 둡니다",
    "relu'(0) is taken as 0": "relu'(0)은 0으로 둡니다",
    "leaky_relu'(0) is taken as alpha": "leaky_relu'(0)은 alpha로 둡니다",
    "elu'(0) is taken as alpha": "elu'(0)은 alpha로 둡니다",
    "at lo and hi the slope is taken as 0": "lo와 hi에서는 기울기를 0으로 둡니다",
    "at lo and hi the slope is taken as 1": "lo와 hi에서는 기울기를 1로 둡니다",
    "a tie: the gradient is split evenly between the tied inputs":
        "동점: gradient를 같은 값의 입력들에 똑같이 나눕니다",
    # --explain (render/explain.py)
    "(part {k} of the {count} that add up to {gradient})": "({gradient}(으)로 합쳐지는 {count}개 중 {k}번째)",
    "Backward pass through {program}": "{program}의 backward pass",
    "Backward pass through {program} at {bindings}": "{bindings}일 때 {program}의 backward pass",
    "Forward pass through {program}": "{program}의 forward pass",
    "Inputs: {bindings}": "입력: {bindings}",
    "Output: {name} = {value}": "출력: {name} = {value}",
    "Result: {gradients}": "결과: {gradients}",
    "Start at the output with the upstream gradient {seed} (the seed).":
        "출력에서 upstream gradient {seed}(seed)(으)로 시작합니다.",
    "Start at the output: {seed}.": "출력에서 시작합니다: {seed}.",
    "a {label} gate": "{label} gate",
    "an {label} gate": "{label} gate",
    "a {pattern}": "{pattern}",
    "note: {kink}": "참고: {kink}",
    "so {chain}": "따라서 {chain}",
    "so {name} gets upstream × local = {product}": "따라서 {name}이(가) 받는 값은 upstream × local = {product}",
    "the Jacobian {jacobian} is {structure}, so {gradient}": "Jacobian {jacobian}: {structure}. 따라서 {gradient}",
    "{gate}, a distributor: it distributes the upstream gradient {up} unchanged to {inputs}.":
        "{gate}, distributor: upstream gradient {up}을(를) {inputs}에 그대로 나눠 줍니다.",
    "{gate}, a distributor: it passes the upstream gradient {up} on, negated where the input is subtracted.":
        "{gate}, distributor: upstream gradient {up}을(를) 그대로 전달하고, 빼는 입력에는 부호를 바꿔 전달합니다.",
    "{gate}, a router, element by element: each element's upstream gradient goes to the input that wins there, "
    "and the others get 0 ({counts}).":
        "{gate}, 원소별 router: 원소마다 upstream gradient는 그 자리에서 이긴 입력으로 가고, 나머지는 0을 받습니다 "
        "({counts}).",
    "{gate}, a router: it routes the whole upstream gradient {up} to {winner}.":
        "{gate}, router: upstream gradient {up} 전체를 {winner}(으)로 보냅니다.",
    "{gate}, a router: no input wins here, so it routes nothing back (every input gets 0).":
        "{gate}, router: 여기서는 이기는 입력이 없으므로 아무것도 보내지 않습니다 (모든 입력이 0을 받습니다).",
    "{gate}, a router: the inputs tie, so it splits the upstream gradient {up} evenly.":
        "{gate}, router: 입력이 동점이므로 upstream gradient {up}을(를) 똑같이 나눕니다.",
    "{gate}, a scaler: it scales the upstream gradient {up} by {factor}.":
        "{gate}, scaler: upstream gradient {up}에 {factor}을(를) 곱합니다.",
    "{gate}, a switcher: it {does}.": "{gate}, switcher: {does}.",
    "{gate}: its local gradient is {formula}.": "{gate}: local gradient는 {formula}입니다.",
    "{names} and {last}": "{names}, {last}",
    "{name} wins at {count} of {total} elements": "{name}이(가) 원소 {total}개 중 {count}개에서 이김",
    # the lecture's patterns (ops.PATTERNS)
    "adds up the gradients that come back from each of its uses": "쓰인 곳마다 돌아오는 gradient를 모두 더합니다",
    "passes the upstream gradient on unchanged to its inputs": "upstream gradient를 입력들에 그대로 전달합니다",
    "routes the whole upstream gradient to the winning input; the others get 0":
        "upstream gradient 전체를 이긴 (더 큰) 입력으로 보내고, 나머지는 0을 받습니다",
    "scales the upstream gradient by its constant": "upstream gradient에 상수를 곱합니다",
    "switches its inputs: each input's local gradient is the other input's value":
        "입력을 서로 바꿉니다: 각 입력의 local gradient는 다른 입력의 값입니다",
    # the quiz (quiz.py, cli/quiz.py)
    "(difficulty {difficulty}, seed {seed})": "(난이도 {difficulty}, seed {seed})",
    "(full marks!)": "(만점!)",
    "(input {k})": "({k}번째 입력)",
    "Problem {number} of {count}": "문제 {number} / {count}",
    "Type each answer ('h' hint, 's' skip, 'q' stops).": "답을 하나씩 입력하세요 ('h' 힌트, 's' 건너뛰기, 'q' 그만).",
    "Work backwards from {start}.": "{start}에서 시작해 거꾸로 계산하세요.",
    "Work forwards from the inputs, then back from {start}.":
        "입력에서 앞으로 계산한 다음, {start}에서 시작해 거꾸로 계산하세요.",
    "downstream = upstream × local: {product}": "downstream = upstream × local: {product}",
    "downstream to {input} from {node}": "{node}에서 {input}(으)로 가는 downstream",
    "hint: {hint}": "힌트: {hint}",
    "note: problem {number}: {flaw}": "참고: 문제 {number}: {flaw}",
    "score: {score}": "점수: {score}",
    "seed {seed} (pass --seed {seed} to get these problems again)":
        "seed {seed} (--seed {seed}를 주면 같은 문제가 다시 나옵니다)",
    "skipped: the answer is {answer}.": "건너뜀: 답은 {answer}입니다.",
    "stopped: score {score} / {total} so far": "중단: 지금까지 점수 {score} / {total}",
    "the answer is {answer}.": "답은 {answer}입니다.",
    "they add up: {sum}": "모두 더하면: {sum}",
    "type a number, such as -4 or 0.39 ('h' hint, 's' skip, 'q' stops)":
        "-4나 0.39 같은 숫자를 입력하세요 ('h' 힌트, 's' 건너뛰기, 'q' 그만)",
    "{gate} is a mul gate, and a mul gate switches: the local gradient is the other input.":
        "{gate}은(는) mul gate이고, mul gate는 switcher입니다: local gradient는 다른 입력입니다.",
    "{gate} is a mul gate: the local gradient is the other input's value.":
        "{gate}은(는) mul gate입니다: local gradient는 다른 입력의 값입니다.",
    "{gate} is a {kind} gate, and a max gate routes: the whole gradient goes to the larger input, 0 to the other.":
        "{gate}은(는) {kind} gate이고, max gate는 router입니다: gradient 전체가 더 큰 입력으로 가고, 다른 입력은 "
        "0을 받습니다.",
    "{gate} is a {kind} gate, and an add gate distributes: it passes its upstream gradient on unchanged.":
        "{gate}은(는) {kind} gate이고, add gate는 distributor입니다: upstream gradient를 그대로 전달합니다.",
    "{gate} is a {kind} gate: it scales its upstream gradient by its constant.":
        "{gate}은(는) {kind} gate입니다: upstream gradient에 상수를 곱합니다.",
    "{gate} is a {kind} gate: its local gradient is {formula}; multiply it by the gate's upstream gradient.":
        "{gate}은(는) {kind} gate입니다: local gradient는 {formula}이고, 이것을 gate의 upstream gradient와 곱하세요.",
    "{gate} is an add gate: each input's local gradient is 1 (or -1 if subtracted).":
        "{gate}은(는) add gate입니다: 각 입력의 local gradient는 1입니다 (빼는 입력은 -1).",
    "{gate} routes: the local gradient is 1 for the larger input, 0 for the other.":
        "{gate}은(는) router입니다: local gradient는 더 큰 입력에 1, 다른 입력에 0입니다.",
    "{gate} scales by a constant: the local gradient is that constant.":
        "{gate}은(는) 상수를 곱합니다: local gradient는 그 상수입니다.",
    "{gate}: its local gradient is {formula}; put in the values.":
        "{gate}: local gradient는 {formula}입니다. 값을 넣어 보세요.",
    "{node} = {expr}: put in its inputs' values ({known}).": "{node} = {expr}: 입력의 값을 넣어 보세요 ({known}).",
    # worksheets (render/worksheet.py, cli/quiz.py)
    "Answer to problem {number}": "문제 {number}의 답",
    "Backprop worksheet": "Backprop 연습 문제",
    "Backprop worksheet: answer key": "Backprop 연습 문제: 답안",
    "Difficulty {difficulty}, seed {seed}. Regenerate with {command}.":
        "난이도 {difficulty}, seed {seed}. 다시 만들려면 {command}",
    "For each circuit, fill in the gradient below every wire and the upstream gradient of every node, working back "
    "from {start}.":
        "각 회로에서 {start}부터 거꾸로, 모든 선 아래의 gradient와 모든 노드의 upstream gradient를 채우세요.",
    "For each circuit, fill in the value above every wire, working forward from the inputs.":
        "각 회로에서 입력부터 앞으로, 모든 선 위의 값을 채우세요.",
    "For each circuit, fill in the value above every wire, working forward from the inputs; then fill in the gradient "
    "below every wire and the upstream gradient of every node, working back from {start}.":
        "각 회로에서 입력부터 앞으로 모든 선 위의 값을 채운 다음, {start}부터 거꾸로 모든 선 아래의 gradient와 모든 "
        "노드의 upstream gradient를 채우세요.",
    "Name:": "이름:",
    "Problem {number}": "문제 {number}",
    "Problems from {file}. Rebuild with {command}.": "{file}의 문제. 다시 만들려면 {command}",
    "Remember the lecture's patterns: an add gate distributes the gradient unchanged, a max gate routes it to the "
    "larger input, a mul gate switches (each input gets the other one), a constant scales it, and a value used twice "
    "adds up its gradients.":
        "강의의 패턴을 떠올리세요: add gate는 gradient를 그대로 나눠 주고 (distributor), max gate는 더 큰 입력으로 "
        "보내고 (router), mul gate는 바꿔 줍니다 (switcher: 각 입력이 다른 입력의 값을 받음). 상수는 gradient에 "
        "곱해지고 (scaler), 두 번 쓰인 값은 gradient가 더해집니다 (adder).",
    "The circuit of problem {number}": "문제 {number}의 회로",
    "Worked steps:": "풀이:",
    "no PDF was made: {reason}": "PDF를 만들지 않았습니다: {reason}",
    # error kinds (core/errors.py); the messages themselves are still English
    "binding error": "binding 오류",
    "error": "오류",
    "evaluation error": "계산 오류",
    "parse error": "구문 오류 (parse error)",
    # markdown, the terminal circuit, the command line's notes, grade
    "Answers:": "답:",
    "Gradient check (central difference, h = {step}):": "Gradient check (central difference, 중심 차분, h = {step}):",
    "See it with --render graph.svg (or --dot), or read it with the default table.":
        "--render graph.svg (또는 --dot)로 그림을 보거나, 기본 표로 읽으세요.",
    "The graph of {name} has {gates} gates and {variables} variables; {reason}.":
        "{name}의 graph에는 gate {gates}개와 변수 {variables}개가 있습니다. {reason}.",
    "a terminal {width} columns wide is too narrow for the drawing":
        "폭이 {width}칸인 터미널은 그림을 그리기에 좁습니다",
    "error: {message}": "오류: {message}",
    "every answer right": "모든 답이 맞았습니다",
    "gates: {list}": "gate: {list}",
    "gradient check failed for {names}": "{names}의 gradient check가 실패했습니다",
    "more than {count} inputs in one part of the drawing": "그림의 한 부분에 입력이 {count}개보다 많습니다",
    "most missed: {questions}": "가장 많이 틀린 문제: {questions}",
    "none": "없음",
    "patterns: {list}": "패턴: {list}",
    "score": "점수",
    "student": "학생",
    "the answer is {answer}": "답은 {answer}",
    "wrong (true value)": "틀린 답 (참값)",
    "missing": "빠진 답",
    "not asked: {names}": "묻지 않은 문제: {names}",
    "the file has no [answers] table": "파일에 [answers] table이 없습니다",
    "the file's own problem differs from the key's; graded against the key":
        "파일의 문제가 key의 문제와 다릅니다. key의 문제로 채점했습니다",
    "{question} ({missing} of {asked} missing)": "{question} ({asked}명 중 {missing}명 답 없음)",
    "{question} ({wrong} wrong and {missing} missing of {asked})":
        "{question} ({asked}명 중 {wrong}명 틀림, {missing}명 답 없음)",
    # reading a class's files (grade.py, files.py, answers.py)
    "FIFO": "FIFO",
    "a teacher can allow more with --time-limit": "--time-limit로 시간을 더 줄 수 있습니다",
    "block device": "블록 장치",
    "character device": "문자 장치",
    "folder": "폴더",
    "its questions are {names}": "문제는 {names}입니다",
    "socket": "소켓",
    "special file": "특수 파일",
    "{name} in {origin}: an answer is a number, an expression or a list of numbers, not {value}":
        "{origin}의 {name}: 답은 숫자, 식 또는 숫자의 list입니다. {value}은(는) 답이 아닙니다",
    "{name} in {path}: answered twice": "{path}의 {name}: 답을 두 번 썼습니다",
    "{origin}: answers nested more than {depth} deep; a question is NAME or NAME.value":
        "{origin}: 답이 {depth}단계보다 깊이 중첩되어 있습니다. 문제는 NAME 또는 NAME.value입니다",
    "{path}: [points] names {question}, which is not a question of the key":
        "{path}: [points]의 {question}은(는) key의 문제가 아닙니다",
    "{path}: answers must be a table such as [answers] x = -4":
        "{path}: 답은 [answers] x = -4 같은 table이어야 합니다",
    "{path}: grading took longer than {seconds} s, the time limit of one submission":
        "{path}: 채점이 제출물 하나의 제한 시간인 {seconds}초를 넘었습니다",
    "{path}: internal error while grading this file ({error}); this is a bug in gradtrace":
        "{path}: 이 파일을 채점하다가 내부 오류가 났습니다 ({error}). gradtrace의 버그입니다",
    "{path}: nested too deeply to grade": "{path}: 너무 깊이 중첩되어 채점할 수 없습니다",
    "{path}: not a UTF-8 text file": "{path}: UTF-8 텍스트 파일이 아닙니다",
    "{path}: not a regular file but a {kind}, so it is not read":
        "{path}: 일반 파일이 아니라 {kind}이므로 읽지 않습니다",
    "{path}: out of memory while grading this file": "{path}: 이 파일을 채점하다가 메모리가 모자랐습니다",
    "{path}: points must be a table such as [points] x = 2":
        "{path}: 배점은 [points] x = 2 같은 table이어야 합니다",
    "{path}: the points of {question} must be a number ≥ 0 and at most {most}, not {value}":
        "{path}: {question}의 배점은 0 이상 {most} 이하의 숫자여야 합니다 ({value}은(는) 안 됩니다)",
    "{path}: too large to read (more than {size})": "{path}: 읽기에는 너무 큽니다 ({size}보다 큼)",
    "wrote {path}": "{path}에 썼습니다",
    "{count} gates are more than a terminal drawing can show readably":
        "gate {count}개는 터미널 그림으로 읽기 좋게 보이기에 너무 많습니다",
    "{count} points; some ended with exit code {code} (see their lines)":
        "점 {count}개 중 일부가 exit code {code}로 끝났습니다 (각 줄을 보세요)",
    "{name} is the input itself: {seed}": "{name}은(는) 입력 그 자체입니다: {seed}",
    "{question} ({wrong} of {answered} wrong)": "{question} ({answered}명 중 {wrong}명 틀림)",
    # the --html page (render/html.py)
    "Answer key": "답안",
    "Back": "이전",
    "Everything shown: Next steps through it again.": "모두 보이는 중: 다음을 누르면 처음부터 다시 단계별로 봅니다.",
    "Forward values in {green} above each wire, gradients in {red} below it.":
        "각 선 위의 {green} 숫자는 forward 값, 아래의 {red} 숫자는 gradient입니다.",
    "Hide the gradients and test yourself": "gradient를 가리고 스스로 풀어 보기",
    "Made with gradtrace. Keys: → or space for the next step, ← for the one before, Home to start over. The "
    "address keeps the step, to share it.":
        "gradtrace로 만들었습니다. 키: → 또는 스페이스는 다음 단계, ←는 이전 단계, Home은 처음부터. 주소에 "
        "단계가 남으므로 그대로 공유할 수 있습니다.",
    "Next": "다음",
    "Show all": "모두 보기",
    "Start over": "처음부터",
    "Step through backprop": "backprop 단계별로 보기",
    "Step {n} of {total}: the {phase} pass at {name}": "{total}단계 중 {n}단계: {name}에서의 {phase} pass",
    "The backward pass, step by step": "단계별 backward pass",
    "The circuit (it scrolls sideways on a narrow screen)": "회로 (좁은 화면에서는 옆으로 스크롤됩니다)",
    "The circuit of {program}, with forward values and gradients on its wires":
        "{program}의 회로, 선마다 forward 값과 gradient가 있습니다",
    "The table of every node": "모든 노드의 표",
    "gradient on the wire from {source} to {target}": "{source}에서 {target}(으)로 가는 선의 gradient",
    "green": "초록",
    "red": "빨강",
    "the copy of {name}": "{name}의 복사",
    "type a number": "숫자를 입력하세요",
    "your {gradient}": "내 답 {gradient}",
    "✓ right": "✓ 맞음",
    "✗ not yet": "✗ 아직 아님",
    "note: no installed font has Hangul, so the Korean letters in {path} are drawn as boxes; install one: {how}":
        "참고: 한글이 있는 글꼴이 설치되어 있지 않아 {path}의 한글이 네모로 그려집니다. 글꼴을 설치하세요: {how}",
    # --help (cli/: help=, the commands' texts, the epilog)
    "1: add and mul; 2: adds max, fan-out and constants; 3: adds exp, 1/x, sigmoid and tanh.":
        "1: add와 mul; 2: max, fan-out, 상수 추가; 3: exp, 1/x, sigmoid, tanh 추가.",
    "A value may be a number or a constant expression such as 1/3 or -pi/2.":
        "값은 숫자이거나 1/3, -pi/2 같은 상수 식입니다.",
    "Also make worksheet.pdf and answers.pdf, with pdflatex.": "pdflatex로 worksheet.pdf와 answers.pdf도 만듭니다.",
    "Answers to check, as a JSON or TOML mapping (arrays as lists).":
        "채점할 답: JSON이나 TOML mapping (배열은 list로).",
    "Bind a variable with -NAME VALUE, --NAME VALUE, --NAME=VALUE or NAME=VALUE.":
        "변수는 -NAME VALUE, --NAME VALUE, --NAME=VALUE, NAME=VALUE로 줍니다.",
    "Check an answer: NAME is ∂out/∂NAME (a variable) or a node's upstream gradient; NAME.value is its value. "
    "Repeatable; exit 3 if any is wrong.":
        "답을 채점합니다: NAME은 ∂out/∂NAME (변수) 또는 노드의 upstream gradient, NAME.value는 그 값입니다. "
        "여러 번 줄 수 있고, 하나라도 틀리면 exit 3.",
    "Colour in the table; auto means on a terminal, unless NO_COLOR is set.":
        "표의 색; auto는 터미널에서만 (NO_COLOR가 있으면 끔).",
    "Colour; auto means on a terminal, unless NO_COLOR is set.": "색; auto는 터미널에서만 (NO_COLOR가 있으면 끔).",
    "Compare every gradient with a central difference (exit 3 if wrong).":
        "모든 gradient를 central difference와 비교합니다 (틀리면 exit 3).",
    "Draw the circuit into FILE (.svg, .png or .pdf) with Graphviz ('-': SVG to standard output).":
        "Graphviz로 회로를 FILE (.svg, .png, .pdf)에 그립니다 ('-': SVG를 표준 출력으로).",
    "Exact arithmetic at the bindings: 1/3, e/(1+e), roots.": "주어진 값에서 정확한 계산: 1/3, e/(1+e), 근호.",
    "Examples:": "예:",
    "Exit codes:": "Exit code:",
    "Grade a class: gradtrace grade submissions/*.toml (see gradtrace grade --help).":
        "반 전체 채점: gradtrace grade submissions/*.toml (gradtrace grade --help 참고).",
    "Grade a whole class: each SUBMISSION is a TOML or JSON file with its answers (and, without\n--key, its "
    "expression and bindings).\n\nA score is out of every question: the key's [answers] (each worth 1 point, or "
    "what the key's\n[points] table gives it), or, without them, the gradient of every input. A question a file "
    "does\nnot answer is missing; an answer that can't be read is that answer's error. A file that can't be\nread "
    "or graded is reported as that student's error and never stops the others. Exit 0 when every\nstudent got "
    "every answer right, 3 when any answer is wrong or missing, 2 when a file could not be\ngraded.":
        "반 전체를 채점합니다: SUBMISSION마다 답이 든 TOML 또는 JSON 파일입니다 (--key가 없으면 식과 값도 "
        "들어 있어야 합니다).\n\n점수는 모든 문제를 놓고 매깁니다: key의 [answers] (문제마다 1점, 또는 key의 "
        "[points] table이 주는 점수), 그것이 없으면 모든 입력의 gradient입니다. 파일에 답이 없는 문제는 빠진 "
        "답이고, 읽을 수 없는 답은 그 답만의 오류입니다. 읽거나 채점할 수 없는 파일은 그 학생의 오류로 알리고, "
        "다른 학생은 계속 채점합니다. 모두 다 맞으면 exit 0, 틀리거나 빠진 답이 있으면 3, 채점하지 못한 파일이 "
        "있으면 2.",
    "How many circuits to work through.": "풀 회로의 개수.",
    "Load variable bindings from a JSON object or a TOML file; keys the expression doesn't use are left out, and "
    "bindings on the command line win. A JSON-lines file (.jsonl) is a batch: one JSON line out per point.":
        "변수 값을 JSON object나 TOML 파일에서 읽습니다. 식에 없는 key는 빼고, 명령줄의 값이 우선합니다. "
        "JSON-lines 파일 (.jsonl)은 batch입니다: 점마다 JSON 한 줄을 씁니다.",
    "Make the problems reproducible.": "같은 문제를 다시 만들 수 있게 합니다.",
    "Manual: man gradtrace (installed with the package).": "설명서: man gradtrace (패키지와 함께 설치됨).",
    "Output format.  [default: table]": "출력 형식.  [기본값: table]",
    "Practice backprop: a random circuit, its forward values, and you fill in the gradients.\n\nType each node's "
    "upstream gradient, from the output back, then each variable's gradient\n(--ask chooses: forward values, local, "
    "upstream and downstream gradients). A wrong answer\ngets the lecture's hint for that gate; a second one shows "
    "the worked step. 'h' or '?' shows\nthe hint (half a point), 's' skips (none), 'q' stops. Answers can come from "
    "stdin, one per\nline, read the same way. Exit 0 when the quiz is completed, 3 when it stops early.":
        "backprop 연습: 무작위 회로와 그 forward 값이 주어지고, gradient를 채웁니다.\n\n출력부터 거꾸로 각 노드의 "
        "upstream gradient를, 그다음 각 변수의 gradient를 입력합니다 (--ask로 forward 값, local, upstream, "
        "downstream gradient를 고릅니다). 틀리면 그 gate에 대한 강의의 힌트가, 두 번 틀리면 풀이가 나옵니다. "
        "'h'나 '?'는 힌트 (0.5점), 's'는 건너뛰기 (0점), 'q'는 그만. 답은 표준 입력에서 한 줄에 하나씩 읽을 수도 "
        "있습니다. 끝까지 풀면 exit 0, 중간에 멈추면 3.",
    "Practice: gradtrace quiz --difficulty 2 (see gradtrace quiz --help).":
        "연습: gradtrace quiz --difficulty 2 (gradtrace quiz --help 참고).",
    "Print each local Jacobian in full when it is small (up to 64 entries).":
        "작은 local Jacobian (원소 64개까지)은 모두 출력합니다.",
    "Read the program from PATH ('-' for stdin).": "PATH에서 프로그램을 읽습니다 ('-'는 표준 입력).",
    "Shorthand for --format dot: Graphviz DOT of the circuit.": "--format dot의 줄임: 회로의 Graphviz DOT.",
    "Shorthand for --format graph: the circuit in the terminal.": "--format graph의 줄임: 터미널에 그린 회로.",
    "Shorthand for --format json (for scripts).": "--format json의 줄임 (스크립트용).",
    "Shorthand for --format mermaid: a Mermaid flowchart.": "--format mermaid의 줄임: Mermaid flowchart.",
    "Show arrays in full however large, and every row of a large table.":
        "배열은 아무리 커도 모두, 큰 표는 모든 행을 보여 줍니다.",
    "Show numbers with this many decimals (1.37, -0.53, as the slides do) instead of --precision's significant "
    "digits.": "숫자를 --precision의 유효 숫자 대신 소수점 이하 이 자릿수로 보여 줍니다 (슬라이드처럼 1.37, -0.53).",
    "Significant digits a whole-number answer must match.": "정수로 쓴 답이 맞아야 하는 유효 숫자 개수.",
    "Significant digits shown in values and worked steps.": "값과 풀이에 보이는 유효 숫자 개수.",
    "Significant digits shown; JSON and CSV keep full precision.": "보이는 유효 숫자 개수; JSON과 CSV는 전체 정밀도.",
    "Symbolic gradients in the variables alone, simplified, instead of compactly in the program's own names "
    "(∂f/∂z = q).": "symbolic gradient를 프로그램의 이름 (∂f/∂z = q) 대신 변수만으로, 간단히 해서 씁니다.",
    "Symbolic values and gradients (the default with no bindings).": "symbolic 값과 gradient (값을 주지 않으면 기본).",
    "Tell the backward pass (or the forward pass) step by step.":
        "backward pass (또는 forward pass)를 단계별로 설명합니다.",
    "The gradient to start backprop from when the output is an array.": "출력이 배열일 때 backprop을 시작할 gradient.",
    "The language of the text (default: from LC_ALL, LC_MESSAGES or LANG). JSON keys, exit codes and options stay "
    "the same.": "글의 언어 (기본값: LC_ALL, LC_MESSAGES, LANG에서). JSON key, exit code, 옵션은 그대로입니다.",
    "The problem (expression and bindings) every submission answers; without it each file carries its own.":
        "모든 제출물이 답하는 문제 (식과 값). 없으면 파일마다 자기 문제를 담습니다.",
    "The step h of --check's central difference.": "--check의 central difference에서 쓰는 step h.",
    "The worksheet's problems, your own: one per line as '(x+y)*z   at x = -2, y = 5, z = -4', or TOML/JSON with a "
    "problems list of expression and bindings.":
        "연습 문제로 쓸 직접 만든 문제: 한 줄에 하나씩 '(x+y)*z   at x = -2, y = 5, z = -4'처럼, 또는 expression과 "
        "bindings의 problems 목록이 든 TOML/JSON.",
    "Tolerance for answers: 0.01 or abs:0.01 (absolute), 1% or rel:0.01.":
        "답의 허용 오차: 0.01 또는 abs:0.01 (절대), 1% 또는 rel:0.01.",
    "Tolerance for every answer: 0.01 or abs:0.01, 1% or rel:0.01.":
        "모든 답의 허용 오차: 0.01 또는 abs:0.01, 1% 또는 rel:0.01.",
    "Trace the gradients of an expression through its computational graph.\n\nEXPRESSION is a formula such as "
    "\"(x+y)*z\" or a small program such as \"q = x + y; f = q * z\". Every node of its\ngraph is shown with its "
    "value, its upstream gradient, and each input's local and downstream gradient,\nlabelled with the lecture's "
    "backward-flow patterns (distributor, router, switcher, scaler, adder).":
        "식의 gradient를 computational graph를 따라 trace합니다.\n\nEXPRESSION은 \"(x+y)*z\" 같은 식이나 "
        "\"q = x + y; f = q * z\" 같은 작은 프로그램입니다. graph의 모든 노드를 값, upstream gradient, 입력마다 "
        "local gradient와 downstream gradient와 함께 보여 주고, 강의의 backward-flow 패턴 (distributor, router, "
        "switcher, scaler, adder)을 붙입니다.",
    "Trace this value instead of the last statement's.": "마지막 문장 대신 이 값을 trace합니다.",
    "What a worksheet leaves to fill in: gradients, values, or values,gradients.":
        "연습 문제에서 비워 둘 것: gradients, values, 또는 values,gradients.",
    "What to ask, comma-separated, asked in the lecture's order: values (the forward pass), local, upstream, "
    "downstream (gradients).": "물어볼 것 (쉼표로 구분, 강의 순서대로): values (forward pass), local, upstream, "
                               "downstream (gradient).",
    "With --render: leave these numbers blank, for a fill-in exercise (values: the gates', the variables keep "
    "theirs; gradients: all but the output's 1).":
        "--render와 함께: 빈칸 채우기용으로 이 숫자들을 비웁니다 (values: gate의 값, 변수는 그대로; gradients: "
        "출력의 1을 뺀 모두).",
    "Write a self-contained page with the picture, the table and the explanation ('-': to standard output).":
        "그림, 표, 설명이 든 독립된 HTML 페이지를 씁니다 ('-': 표준 출력으로).",
    "Write a worksheet and its answer key into --out DIR instead of asking: N random problems (10 if N is left "
    "out), or the problems of --from FILE.":
        "묻는 대신 연습 문제와 답안을 --out DIR에 씁니다: 무작위 문제 N개 (N이 없으면 10개), 또는 --from FILE의 문제.",
    "a check or expected answer failed": "check 또는 채점한 답이 틀림",
    "evaluation error (log(-1), 1/0, overflow)": "계산 오류 (log(-1), 1/0, overflow)",
    "ok": "정상",
    "table for people; csv (a row per answer), csv-wide (a row per student) and json for the gradebook.":
        "table은 사람용, csv (답마다 한 줄), csv-wide (학생마다 한 줄)와 json은 성적부용.",
    "Time one submission may take to grade; a file over it is that student's error (0: no limit).":
        "제출물 하나를 채점하는 데 쓸 수 있는 시간 (초). 넘으면 그 학생의 오류입니다 (0: 제한 없음).",
    "usage, parse or binding error": "사용법, 구문 또는 binding 오류",
    "{count} of {total} answers wrong: {names}": "답 {total}개 중 {count}개 틀림: {names}",
    # click's own words (cli/click_words.py)
    "Aborted!": "중단했습니다!",
    "Commands": "명령",
    "Error: {message}": "오류: {message}",
    "Invalid value for {param_hint}: {message}": "{param_hint}의 값이 올바르지 않습니다: {message}",
    "Invalid value: {message}": "값이 올바르지 않습니다: {message}",
    "Missing argument": "인자가 없습니다",
    "Missing option": "옵션이 없습니다",
    "Missing parameter: {param_name}": "매개변수가 없습니다: {param_name}",
    "No such command {name!r}.": "{name!r}(이)라는 명령은 없습니다.",
    "No such option {name!r}.": "{name!r}(이)라는 옵션은 없습니다.",
    "Option {name!r} does not take a value.": "옵션 {name!r}에는 값을 줄 수 없습니다.",
    "Options": "옵션",
    "Show the version and exit.": "버전을 보여 주고 끝냅니다.",
    "Show this message and exit.": "이 도움말을 보여 주고 끝냅니다.",
    "Try '{command} {option}' for help.": "도움말은 '{command} {option}'로 보세요.",
    "Usage:": "사용법:",
    "default: {default}": "기본값: {default}",
    "{name} {filename!r} does not exist.": "{name} {filename!r}이(가) 없습니다.",
    "{value!r} is not a valid {number_type}.": "{value!r}은(는) 올바른 {number_type}이(가) 아닙니다.",
    "{value} is not in the range {range}.": "{value}은(는) 범위 {range} 밖에 있습니다.",
    # error messages and their hints (core/, cli/, answers.py, grade.py, quiz.py, symbolic.py, files.py)
    "',' outside a function call": "함수 호출 밖의 ','",
    "--answers {answers_file}: expected a mapping such as {{\"x\": -4}}":
        "--answers {answers_file}: {{\"x\": -4}} 같은 mapping이어야 합니다",
    "--ask {text}: choose from {join} (comma-separated)": "--ask {text}: {join} 중에서 고르세요 (쉼표로 구분)",
    "--blank leaves numbers out of a --render picture; give --render FILE too":
        "--blank는 --render 그림에서 숫자를 비웁니다. --render FILE도 주세요",
    "--blank {blank}: write values, gradients or values,gradients":
        "--blank {blank}: values, gradients 또는 values,gradients로 쓰세요",
    "--difficulty {difficulty}: choose 1, 2 or 3": "--difficulty {difficulty}: 1, 2, 3 중에서 고르세요",
    "--dot prints the DOT text if you want to try anyway; --graph summarises it":
        "그래도 해 보려면 --dot이 DOT 텍스트를 출력합니다. --graph는 요약합니다",
    "--dot prints the DOT text; --graph draws the circuit in the terminal":
        "--dot은 DOT 텍스트를 출력하고, --graph는 터미널에 회로를 그립니다",
    "--expanded writes symbolic gradients; it takes no bindings and no --exact":
        "--expanded는 symbolic gradient를 씁니다. 값도 --exact도 받지 않습니다",
    "--expect {item}: write NAME=VALUE": "--expect {item}: NAME=VALUE로 쓰세요",
    "--explain writes text, which has no place in --format {format_name}; use it with the table, --graph or --json "
    "(where it is the \"explanation\" key)":
        "--explain은 글을 쓰는데, --format {format_name}에는 들어갈 자리가 없습니다. 표, --graph 또는 --json "
        "(\"explanation\" key)과 함께 쓰세요",
    "--render {render_file}: the file must end in .svg, .png or .pdf ('-' writes SVG to standard output)":
        "--render {render_file}: 파일은 .svg, .png, .pdf로 끝나야 합니다 ('-'는 SVG를 표준 출력으로)",
    "--seed {text}: {err}": "--seed {text}: {err}",
    "--symbolic and --exact are two different modes; pick one":
        "--symbolic과 --exact는 서로 다른 mode입니다. 하나만 고르세요",
    "--vars with a JSON-lines file traces each point and writes one JSON line per point; it takes no other output "
    "format and no symbolic mode":
        "JSON-lines 파일을 준 --vars는 점마다 trace해서 점마다 JSON 한 줄을 씁니다. 다른 출력 형식이나 symbolic "
        "mode는 받지 않습니다",
    "--vars {path} line {k}: expected a JSON object such as {{\"x\": 2}}":
        "--vars {path} {k}번째 줄: {{\"x\": 2}} 같은 JSON object여야 합니다",
    "--vars {path}: expected a JSON object such as {{\"x\": 2}}":
        "--vars {path}: {{\"x\": 2}} 같은 JSON object여야 합니다",
    "--vars {path}: no points (one JSON object per line)": "--vars {path}: 점이 없습니다 (한 줄에 JSON object 하나)",
    "--vars {path}: not valid TOML ({exc})": "--vars {path}: 올바른 TOML이 아닙니다 ({exc})",
    "--worksheet N draws N random problems, and --from gives your own; pick one (--worksheet --from FILE takes "
    "every problem in FILE)":
        "--worksheet N은 무작위 문제 N개를 만들고, --from은 직접 만든 문제를 줍니다. 하나만 고르세요 (--worksheet "
        "--from FILE은 FILE의 모든 문제를 씁니다)",
    "--worksheet needs --out DIR for its files": "--worksheet에는 파일을 쓸 --out DIR이 필요합니다",
    "--worksheet {text}: give a number of problems from 1 to 200":
        "--worksheet {text}: 문제 수를 1에서 200 사이로 주세요",
    "Graphviz's dot could not draw this circuit ({first})": "Graphviz의 dot이 이 회로를 그리지 못했습니다 ({first})",
    "Graphviz's dot drew nothing for this circuit": "Graphviz의 dot이 이 회로에 대해 아무것도 그리지 않았습니다",
    "Graphviz's dot program is not installed, so no picture can be drawn":
        "Graphviz의 dot 프로그램이 설치되어 있지 않아 그림을 그릴 수 없습니다",
    "Option '{name}' requires an argument.": "옵션 '{name}'에는 값이 필요합니다.",
    "a gradient check needs values for the variables": "gradient check에는 변수의 값이 필요합니다",
    "a positional argument follows a keyword argument": "위치 인자가 keyword 인자 뒤에 왔습니다",
    "a tolerance compares numbers, and symbolic answers are expressions":
        "허용 오차는 숫자를 비교하는데, symbolic 답은 식입니다",
    "add the missing ')'": "빠진 ')'를 넣으세요",
    "an assignment is 'name = expression', one per statement": "대입은 '이름 = 식'이고, 문장 하나에 하나입니다",
    "answers are floats, between about 1e-308 and 1e308": "답은 float이고, 대략 1e-308에서 1e308 사이입니다",
    "bind the arrays to variables, e.g. -x \"[1, 2, 3]\"": "배열을 변수에 주세요. 예: -x \"[1, 2, 3]\"",
    "bind the arrays to variables, e.g. W @ x with -W \"[[1, 2], [3, 4]]\" -x \"[1, 1]\"":
        "배열을 변수에 주세요. 예: W @ x에 -W \"[[1, 2], [3, 4]]\" -x \"[1, 1]\"",
    "bind the variables to arrays, e.g. -x \"[1, 2]\"": "변수에 배열을 주세요. 예: -x \"[1, 2]\"",
    "bind the variables to grade numbers within a tolerance": "허용 오차로 숫자를 채점하려면 변수에 값을 주세요",
    "bind the variables to numbers instead": "대신 변수에 숫자를 주세요",
    "can't write the folder {path}: a file of that name is in the way":
        "폴더 {path}에 쓸 수 없습니다: 같은 이름의 파일이 있습니다",
    "can't write the folder {path}: {value}": "폴더 {path}에 쓸 수 없습니다: {value}",
    "can't write {path}: it is a folder": "{path}에 쓸 수 없습니다: 폴더입니다",
    "can't write {path}: {value}": "{path}에 쓸 수 없습니다: {value}",
    "commas separate the arguments of a call such as max(x, y)": "쉼표는 max(x, y) 같은 호출의 인자를 나눕니다",
    "constants are numbers, pi and e": "상수는 숫자, pi, e입니다",
    "convert it, e.g. x.astype(float)": "변환하세요. 예: x.astype(float)",
    "e.g. --expect x=-4 or --expect q.value=3": "예: --expect x=-4 또는 --expect q.value=3",
    "every row needs the same number of entries": "모든 행의 원소 수가 같아야 합니다",
    "every row of a matrix needs the same number of entries": "행렬의 모든 행은 원소 수가 같아야 합니다",
    "exact arithmetic can't handle numbers this large ({exc})":
        "정확한 계산으로는 이렇게 큰 수를 다룰 수 없습니다 ({exc})",
    "exact mode gives exact values at a point": "exact mode는 한 점에서 정확한 값을 줍니다",
    "exact mode takes exponents up to {MAX_EXACT_EXPONENT:,}; numeric mode handles this one":
        "exact mode는 지수 {MAX_EXACT_EXPONENT:,}까지 다룹니다. 이것은 numeric mode가 다룹니다",
    "exact mode works on scalar values": "exact mode는 scalar 값에만 씁니다",
    "expected a number, a name or '(' but found {describe}":
        "숫자, 이름 또는 '('가 와야 하는데 {describe}이(가) 있습니다",
    "expected an operator between {describe} and {describe2}":
        "{describe}와(과) {describe2} 사이에 연산자가 있어야 합니다",
    "expected an operator but found {describe}": "연산자가 와야 하는데 {describe}이(가) 있습니다",
    "expected one expression but found {describe}": "식 하나가 와야 하는데 {describe}이(가) 있습니다",
    "for help, run gradtrace --help": "도움말은 gradtrace --help",
    "give an expression such as \"(x+y)*z\"": "\"(x+y)*z\" 같은 식을 주세요",
    "give each name one value": "이름마다 값을 하나씩 주세요",
    "give each variable a value: (x+y)*z   at x = -2, y = 5, z = -4":
        "변수마다 값을 주세요: (x+y)*z   at x = -2, y = 5, z = -4",
    "give each variable one value": "변수마다 값을 하나씩 주세요",
    "give the program either as an argument or with --file, not both (got {expression!r} too)":
        "프로그램은 인자로 주거나 --file로 주고, 둘 다 주지는 마세요 ({expression!r}도 받았습니다)",
    "gradients need finite numbers; NaN and inf have none":
        "gradient에는 유한한 숫자가 필요합니다. NaN과 inf에는 없습니다",
    "install it (apt-get install texlive-latex-base on Debian and Ubuntu, MacTeX or MiKTeX elsewhere), or print "
    "worksheet.html from a browser":
        "설치하거나 (Debian과 Ubuntu에서는 apt-get install texlive-latex-base, 다른 곳에서는 MacTeX 또는 MiKTeX), "
        "브라우저에서 worksheet.html을 인쇄하세요",
    "it is undefined here ({exc})": "여기서는 정의되지 않습니다 ({exc})",
    "its local gradient ∂{name}/∂{name2} is undefined or infinite here":
        "local gradient ∂{name}/∂{name2}이(가) 여기서 정의되지 않거나 무한대입니다",
    "its names are {join}": "이름은 {join}입니다",
    "keyword {name!r} is given twice": "keyword {name!r}이(가) 두 번 주어졌습니다",
    "no expression given": "식이 없습니다",
    "no mode {mode!r}: choose {join}": "{mode!r}(이)라는 mode는 없습니다: {join} 중에서 고르세요",
    "no such option: --{name} ({close})": "그런 옵션은 없습니다: --{name} ({close})",
    "no such option: {tok} ({close})": "그런 옵션은 없습니다: {tok} ({close})",
    "nothing is assigned to {target}": "{target}에 대입된 것이 없습니다",
    "numeric mode computes this in floats": "numeric mode는 이것을 float로 계산합니다",
    "only a command-line binding such as -x @x.npy loads a file": "파일은 -x @x.npy 같은 명령줄 값으로만 읽습니다",
    "pass its real part, x.real, if that is what you mean": "그런 뜻이라면 실수부 x.real을 주세요",
    "pdflatex could not compile the worksheet ({first})": "pdflatex가 연습 문제를 컴파일하지 못했습니다 ({first})",
    "pdflatex is not installed": "pdflatex가 설치되어 있지 않습니다",
    "pdflatex took more than 2 minutes": "pdflatex가 2분보다 오래 걸렸습니다",
    "pick another name": "다른 이름을 고르세요",
    "pick another name for the variable": "변수에 다른 이름을 고르세요",
    "put the .npy file beside the answers file": ".npy 파일을 답 파일 옆에 두세요",
    "quote the expression, and bind variables with -x 2 or x=2": "식을 따옴표로 감싸고, 변수는 -x 2나 x=2로 주세요",
    "reduce it, e.g. sum({name}), or give a seed gradient (ones, or an array of the output's shape)":
        "줄이거나 (예: sum({name})), seed gradient를 주세요 (ones, 또는 출력과 같은 shape의 배열)",
    "symbolic and exact modes work on scalar expressions, and {join} needs arrays":
        "symbolic과 exact mode는 scalar 식에 쓰는데, {join}에는 배열이 필요합니다",
    "symbolic mode takes no bindings": "symbolic mode는 값을 받지 않습니다",
    "the array for {name} holds an integer too large for a float":
        "{name}의 배열에 float로 나타내기에 너무 큰 정수가 있습니다",
    "the array for {name} holds integers beyond 2^53, which float64 can't hold exactly":
        "{name}의 배열에 2^53보다 큰 정수가 있어 float64로 정확히 나타낼 수 없습니다",
    "the array for {name} is complex; gradients here are of real numbers":
        "{name}의 배열이 복소수입니다. 여기서 gradient는 실수에 대한 것입니다",
    "the array for {name} is empty": "{name}의 배열이 비어 있습니다",
    "the array for {name} is ragged: its rows have different lengths ({origin})":
        "{name}의 배열이 고르지 않습니다: 행마다 길이가 다릅니다 ({origin})",
    "the array for {name} must hold numbers, not {dtype}":
        "{name}의 배열에는 {dtype}이(가) 아니라 숫자가 있어야 합니다",
    "the array for {name} must hold only numbers ({origin})": "{name}의 배열에는 숫자만 있어야 합니다 ({origin})",
    "the array for {name} nests lists more than {MAX_DEPTH} deep":
        "{name}의 배열은 list를 {MAX_DEPTH}단계보다 깊게 중첩합니다",
    "the expression ends too early: expected a number, a name or '(' {what}":
        "식이 너무 일찍 끝납니다: {what} 숫자, 이름 또는 '('가 와야 합니다",
    "the expression is empty": "식이 비어 있습니다",
    "the graph has {count} nodes; symbolic and exact modes stop at {MAX_NODES}":
        "graph에 노드가 {count}개 있습니다. symbolic과 exact mode는 {MAX_NODES}개까지입니다",
    "the graph has {gates} gates, too many to draw readably (at most {MAX_GATES})":
        "graph에 gate가 {gates}개 있어 읽기 좋게 그리기에는 너무 많습니다 (최대 {MAX_GATES}개)",
    "the number {shown} is too large for a float (the largest is about 1.8e308)":
        "숫자 {shown}은(는) float로 나타내기에 너무 큽니다 (가장 큰 값은 약 1.8e308)",
    "the only attribute is .T (transpose)": "attribute는 .T (transpose) 하나뿐입니다",
    "the operator {symbol!r} needs array values, which this build does not support":
        "연산자 {symbol!r}에는 배열 값이 필요한데, 이 빌드는 지원하지 않습니다",
    "the output is the constant {fmt}: there is nothing to differentiate":
        "출력이 상수 {fmt}입니다: 미분할 것이 없습니다",
    "the output {name} has shape {tuple}, but backprop starts from one number":
        "출력 {name}의 shape는 {tuple}인데, backprop은 숫자 하나에서 시작합니다",
    "the program has no value named {output_name!r}": "프로그램에 {output_name!r}(이)라는 값이 없습니다",
    "the result overflows (it is too large for a float)": "결과가 overflow됩니다 (float로 나타내기에 너무 큽니다)",
    "the seed has shape {given}, but the output {name} has shape {shape}":
        "seed의 shape는 {given}인데, 출력 {name}의 shape는 {shape}입니다",
    "the value for {name} is not a number: {message}": "{name}의 값이 숫자가 아닙니다: {message}",
    "the value for {name} must be a number or a constant expression, not {text!r}":
        "{name}의 값은 {text!r}이(가) 아니라 숫자나 상수 식이어야 합니다",
    "the value for {name} must be a number or an array, not {value!r}":
        "{name}의 값은 {value!r}이(가) 아니라 숫자나 배열이어야 합니다",
    "the value is empty": "값이 비어 있습니다",
    "this '(' is never closed": "이 '('가 닫히지 않습니다",
    "this is a bug in gradtrace's LaTeX; please report it": "gradtrace의 LaTeX 버그입니다. 알려 주세요",
    "try: gradtrace \"(x+y)*z\" -x -2 -y 5 -z -4": "해 보세요: gradtrace \"(x+y)*z\" -x -2 -y 5 -z -4",
    "unexpected '=' inside an expression": "식 안에 예상하지 못한 '='가 있습니다",
    "unexpected character {ch!r}": "예상하지 못한 문자 {ch!r}",
    "unknown attribute {text!r}": "모르는 attribute {text!r}",
    "unknown function {func!r}": "모르는 함수 {func!r}",
    "unknown operator {symbol!r}": "모르는 연산자 {symbol!r}",
    "unmatched ')'": "짝이 없는 ')'",
    "use a variable, e.g. x*2, and bind it with -x 3": "변수를 쓰고 (예: x*2), -x 3으로 값을 주세요",
    "use numeric mode for arrays": "배열에는 numeric mode를 쓰세요",
    "write 0.01 (absolute), 1% or rel:0.01 (relative)": "0.01 (절대), 1% 또는 rel:0.01 (상대)로 쓰세요",
    "write [[problems]] tables with expression = \"...\" and bindings = { x = 2 } (TOML), or a JSON list of them":
        "expression = \"...\"과 bindings = { x = 2 }가 든 [[problems]] table (TOML), 또는 그런 것의 JSON list로 "
        "쓰세요",
    "write a number (--seed 2), ones, an array (--seed \"[1, 0]\") or a file (--seed @grad.npy)":
        "숫자 (--seed 2), ones, 배열 (--seed \"[1, 0]\") 또는 파일 (--seed @grad.npy)로 쓰세요",
    "write a number such as -4, 0.39 or 1/3": "-4, 0.39, 1/3 같은 숫자로 쓰세요",
    "write e.g. {name}(x, {pname}=0.1)": "예: {name}(x, {pname}=0.1)로 쓰세요",
    "write expression = \"(x+y)*z\"": "expression = \"(x+y)*z\"로 쓰세요",
    "write it as you would a program, e.g. x + y or 2*q": "프로그램처럼 쓰세요. 예: x + y 또는 2*q",
    "write it without quotes, e.g. {\"x\": 0.5}": "따옴표 없이 쓰세요. 예: {\"x\": 0.5}",
    "write nested lists of numbers, e.g. x=[0.1, 0.2]": "숫자의 중첩 list로 쓰세요. 예: x=[0.1, 0.2]",
    "write one per line: (x+y)*z   at x = -2, y = 5, z = -4":
        "한 줄에 하나씩 쓰세요: (x+y)*z   at x = -2, y = 5, z = -4",
    "write x = 2 per line, or a JSON object such as {\"x\": 2}":
        "한 줄에 x = 2처럼 쓰거나, {\"x\": 2} 같은 JSON object로 쓰세요",
    "write {func}(x, y), which is x {infix} y": "{func}(x, y)로 쓰세요. x {infix} y와 같습니다",
    "write {name}({written}), e.g. {name}(x, 0, 1)": "{name}({written})로 쓰세요. 예: {name}(x, 0, 1)",
    "write {prev}*{tok} to multiply (a number written right against a name or '(' multiplies it: 2x, 3(x+y))":
        "곱하려면 {prev}*{tok}로 쓰세요 (이름이나 '(' 바로 앞에 붙여 쓴 숫자는 곱합니다: 2x, 3(x+y))",
    "write {target} = <expression>": "{target} = <식>으로 쓰세요",
    "write {target}=... for ∂{output}/∂{target}, {target}.value=... for its value":
        "∂{output}/∂{target}에는 {target}=..., 그 값에는 {target}.value=...로 쓰세요",
    "{func} takes {arity} arguments, got {value}": "{func}은(는) 인자 {arity}개를 받는데, {value}개를 받았습니다",
    "{join} each choose an output format; pick one (--render FILE and --html FILE can go with any of them)":
        "{join}은(는) 각각 출력 형식을 고릅니다. 하나만 고르세요 (--render FILE과 --html FILE은 어느 것과도 함께 "
        "쓸 수 있습니다)",
    "{name} = {expr}: an exact power with exponent {float:.6g} would have too many digits to compute":
        "{name} = {expr}: 지수가 {float:.6g}인 정확한 거듭제곱은 계산하기에 자릿수가 너무 많습니다",
    "{name} = {expr}: its {what} is undefined here ({v})":
        "{name} = {expr}: {what}이(가) 여기서 정의되지 않습니다 ({v})",
    "{name} = {expr}: the shapes don't fit: {shapes} ({detail})":
        "{name} = {expr}: shape가 맞지 않습니다: {shapes} ({detail})",
    "{name} = {expr}: {problem}, {connector} {join}": "{name} = {expr}: {problem}, {connector} {join}",
    "{name} already has a value, so it can't be a variable of {target}":
        "{name}에는 이미 값이 있어서 {target}의 변수가 될 수 없습니다",
    "{name} has no parameter {kname!r} (its parameters: {names})":
        "{name}에는 매개변수 {kname!r}이(가) 없습니다 (매개변수: {names})",
    "{name} is bound twice (the second time as {origin})": "{name}의 값이 두 번 주어졌습니다 (두 번째는 {origin})",
    "{name} is bound twice: {origin} and {origin2}": "{name}의 값이 두 번 주어졌습니다: {origin}, {origin2}",
    "{name} is listed twice in {target}(...)": "{name}이(가) {target}(...)에 두 번 있습니다",
    "{name} needs array arguments, and a constant is a single number":
        "{name}에는 배열 인자가 필요한데, 상수는 숫자 하나입니다",
    "{name} needs at least two arguments": "{name}에는 인자가 둘 이상 필요합니다",
    "{name} needs {join}": "{name}에는 {join}이(가) 필요합니다",
    "{name} takes {value} argument(s), got {n_pos}": "{name}은(는) 인자를 {value}개 받는데, {n_pos}개를 받았습니다",
    "{name}'s {pname} must be a constant": "{name}의 {pname}은(는) 상수여야 합니다",
    "{name}: {kname} is given twice": "{name}: {kname}이(가) 두 번 주어졌습니다",
    "{name}=@{path}: can't read it as an array ({exc})": "{name}=@{path}: 배열로 읽을 수 없습니다 ({exc})",
    "{name}=@{path}: its header says {count:,} elements of {dtype} ({claimed:,} bytes), but the file holds only "
    "{present:,} bytes of data":
        "{name}=@{path}: header에는 {dtype} 원소 {count:,}개 ({claimed:,} bytes)라고 되어 있지만, 파일의 데이터는 "
        "{present:,} bytes뿐입니다",
    "{name}=@{path}: not a .npy file numpy can read ({exc})":
        "{name}=@{path}: numpy가 읽을 수 있는 .npy 파일이 아닙니다 ({exc})",
    "{name}=@{path}: the array is empty": "{name}=@{path}: 배열이 비어 있습니다",
    "{name}=@{path}: the array must be real numbers, not {dtype}":
        "{name}=@{path}: 배열은 {dtype}이(가) 아니라 실수여야 합니다",
    "{name}=@{path}: the file must be .npy, .csv or .json": "{name}=@{path}: 파일은 .npy, .csv, .json이어야 합니다",
    "{name}=@{path}: {value}": "{name}=@{path}: {value}",
    "{option} {path}: not a UTF-8 text file": "{option} {path}: UTF-8 텍스트 파일이 아닙니다",
    "{option} {path}: {value}": "{option} {path}: {value}",
    "{origin} binds a variable h, and the expression has none":
        "{origin}은(는) 변수 h에 값을 주는데, 식에는 h가 없습니다",
    "{origin}: a symbolic answer is one expression, not an array":
        "{origin}: symbolic 답은 배열이 아니라 식 하나입니다",
    "{origin}: a value in a file is a number or a list of numbers, not text ({text!r})":
        "{origin}: 파일의 값은 글이 아니라 숫자나 숫자의 list입니다 ({text!r})",
    "{origin}: a value {where} is a number or a list of numbers, not a file name":
        "{origin}: {where}의 값은 파일 이름이 아니라 숫자나 숫자의 list입니다",
    "{origin}: a {count}-digit integer is too large for a float":
        "{origin}: {count}자리 정수는 float로 나타내기에 너무 큽니다",
    "{origin}: an answer is one expression of at most {MAX_ANSWER_TEXT} characters":
        "{origin}: 답은 {MAX_ANSWER_TEXT}자 이하의 식 하나입니다",
    "{origin}: an answers file names only files in its own folder, not {path}":
        "{origin}: 답 파일은 {path}이(가) 아니라 자기 폴더의 파일만 가리킬 수 있습니다",
    "{origin}: an array answer holds only numbers": "{origin}: 배열 답에는 숫자만 있어야 합니다",
    "{origin}: bindings must be a mapping such as {{ x = 2 }}":
        "{origin}: bindings는 {{ x = 2 }} 같은 mapping이어야 합니다",
    "{origin}: lists nested more than {MAX_DEPTH} deep":
        "{origin}: list가 {MAX_DEPTH}단계보다 깊게 중첩되어 있습니다",
    "{origin}: lists nested {depth} deep; an array has at most {MAX_DEPTH} dimensions here":
        "{origin}: list가 {depth}단계로 중첩되어 있습니다. 여기서 배열은 {MAX_DEPTH}차원까지입니다",
    "{origin}: nested too deeply to be numbers": "{origin}: 숫자이기에는 너무 깊게 중첩되어 있습니다",
    "{origin}: no expression": "{origin}: 식이 없습니다",
    "{origin}: not a valid array": "{origin}: 올바른 배열이 아닙니다",
    "{origin}: only NAME and NAME.value can be checked": "{origin}: NAME과 NAME.value만 채점할 수 있습니다",
    "{origin}: the answer is not an expression gradtrace can read ({message})":
        "{origin}: 답이 gradtrace가 읽을 수 있는 식이 아닙니다 ({message})",
    "{origin}: the answer uses {unknown}, which is not a name in the program":
        "{origin}: 답에 쓴 {unknown}은(는) 프로그램에 없는 이름입니다",
    "{origin}: the array is ragged or too deeply nested":
        "{origin}: 배열이 고르지 않거나 너무 깊게 중첩되어 있습니다",
    "{origin}: the expression has no variable {name!r}": "{origin}: 식에 변수 {name!r}이(가) 없습니다",
    "{origin}: the key {twice!r} is given twice": "{origin}: key {twice!r}이(가) 두 번 주어졌습니다",
    "{origin}: the number {text} is too large for a float":
        "{origin}: 숫자 {text}은(는) float로 나타내기에 너무 큽니다",
    "{origin}: the trace has no node or variable {target!r}":
        "{origin}: trace에 노드나 변수 {target!r}이(가) 없습니다",
    "{origin}: the value of {name}{where} is {what}": "{origin}: {name}{where}의 값이 {what}입니다",
    "{origin}: the {count}-digit integer {text}… is too large for a float (the largest is about 1.8e308)":
        "{origin}: {count}자리 정수 {text}…은(는) float로 나타내기에 너무 큽니다 (가장 큰 값은 약 1.8e308)",
    "{origin}: {text} is not a number JSON allows, and gradients need finite numbers":
        "{origin}: {text}은(는) JSON이 허용하는 숫자가 아니고, gradient에는 유한한 숫자가 필요합니다",
    "{path}: expected a mapping with expression, bindings and answers":
        "{path}: expression, bindings, answers가 든 mapping이어야 합니다",
    "{path}: no problems": "{path}: 문제가 없습니다",
    "{path}: problem {i} must be a table with expression and bindings":
        "{path}: 문제 {i}은(는) expression과 bindings가 든 table이어야 합니다",
    "{path}: the problem has no bindings, so its answers are expressions, and --tol compares numbers":
        "{path}: 문제에 값이 없어 답이 식인데, --tol은 숫자를 비교합니다",
    "{path}: {value}": "{path}: {value}",
    "{symbol} needs two arrays, and a constant is a single number":
        "{symbol}에는 배열 두 개가 필요한데, 상수는 숫자 하나입니다",
    "{target!r} is a function and can't be assigned to": "{target!r}은(는) 함수라서 대입할 수 없습니다",
    "{text!r} is not a tolerance": "{text!r}은(는) 허용 오차가 아닙니다",
    "{text!r} is reserved: JSON output writes a non-finite number as the string \"{text}\"":
        "{text!r}은(는) 예약된 이름입니다: JSON 출력은 유한하지 않은 숫자를 문자열 \"{text}\"로 씁니다",
    "{text!r}: a tolerance must be a finite number ≥ 0": "{text!r}: 허용 오차는 0 이상의 유한한 숫자여야 합니다",
    "{text} is undefined ({exc})": "{text}은(는) 정의되지 않습니다 ({exc})",
    "{text} overflows (it is too large for a float)": "{text}이(가) overflow됩니다 (float로 나타내기에 너무 큽니다)",
    "{text}: {name} needs {needs}, got {shown}":
        "{text}: {name}에는 {needs}이(가) 필요한데, {shown}을(를) 받았습니다",
    "{to_stdout} writes to standard output, so nothing else can go there; write one of them to a file":
        "{to_stdout}은(는) 표준 출력에 쓰므로 다른 것은 그곳에 갈 수 없습니다. 하나는 파일에 쓰세요",
    "{tok} needs a value": "{tok}에는 값이 필요합니다",
    "{value!r} is not a finite number above 0": "{value!r}은(는) 0보다 큰 유한한 숫자가 아닙니다",
    "{value!r} is not a number": "{value!r}은(는) 숫자가 아닙니다",
    "{what} needs {needs}": "{what}에는 {needs}이(가) 필요합니다",
    "{what} reports verdicts, which have no place in --format {format_name}; use the table, --json, --format csv, "
    "markdown or latex":
        "{what}은(는) 판정을 알리는데, --format {format_name}에는 들어갈 자리가 없습니다. 표, --json, --format "
        "csv, markdown, latex를 쓰세요",
    "{where} ({expression}) has no bindings, and a worksheet needs numbers":
        "{where} ({expression})에 값이 없는데, 연습 문제에는 숫자가 필요합니다",
    "{where}: a worksheet circuit works on numbers, not arrays":
        "{where}: 연습 문제의 회로는 배열이 아니라 숫자로 계산합니다",
    "{where}: the answer is empty": "{where}: 답이 비어 있습니다",
    "{where}: the answer is not a number": "{where}: 답이 숫자가 아닙니다",
    "{where}: the exponent is out of range for a float": "{where}: 지수가 float의 범위를 벗어납니다",
    "{where}: the number is too large for a float": "{where}: 숫자가 float로 나타내기에 너무 큽니다",
    "{where}…: an answer is a number, and this is {count} characters long":
        "{where}…: 답은 숫자인데, 이것은 {count}자나 됩니다",
    "∂{name}/∂{name2} overflows: the {count} gradients that reach {name2} add up to more than a float can hold":
        "∂{name}/∂{name2}이(가) overflow됩니다: {name2}에 도착하는 gradient {count}개를 더하면 float가 담을 수 "
        "있는 값보다 큽니다",
    "did you mean {names}?": "혹시 {names}인가요?",
    " or ": " 또는 ",
    "its nodes are {names}": "노드는 {names}입니다",
    "the functions are {names}": "함수는 {names}입니다",
    # the op table's domains (core/ops.py) and the words before the inputs' values (core/engine.py)
    "a nonnegative base for a fractional power": "분수 거듭제곱에는 0 이상의 밑",
    "a nonnegative input": "0 이상의 입력",
    "a nonzero base for a negative power": "음수 거듭제곱에는 0이 아닌 밑",
    "a nonzero divisor": "0이 아닌 나누는 수",
    "a nonzero input": "0이 아닌 입력",
    "a positive base for a negative fractional power": "음수 분수 거듭제곱에는 양수 밑",
    "a positive base when the exponent is a variable": "지수가 변수일 때는 양수 밑",
    "a positive constant base (∂/∂x c^x = ln(c)·c^x)": "양수인 상수 밑 (∂/∂x c^x = ln(c)·c^x)",
    "a positive input": "양수 입력",
    "at": "그때",
    "but": "그런데",
    "lo < hi (got lo = {lo:g}, hi = {hi:g})": "lo < hi (받은 값: lo = {lo:g}, hi = {hi:g})",
    "lo ≤ hi (got lo = {lo:g}, hi = {hi:g})": "lo ≤ hi (받은 값: lo = {lo:g}, hi = {hi:g})",
    "Chromium could not print the worksheet to PDF": "Chromium이 연습 문제를 PDF로 인쇄하지 못했습니다",
    "Chromium took more than 2 minutes to print the worksheet":
        "Chromium이 연습 문제를 인쇄하는 데 2분보다 오래 걸렸습니다",
    "a PDF in this language is printed by Chromium, which is not installed":
        "이 언어의 PDF는 Chromium이 인쇄하는데, Chromium이 설치되어 있지 않습니다",
    "install it (apt-get install chromium on Debian), or print worksheet.html from a browser":
        "설치하거나 (Debian에서는 apt-get install chromium), 브라우저에서 worksheet.html을 인쇄하세요",
    "print worksheet.html from a browser": "브라우저에서 worksheet.html을 인쇄하세요",
    # --format latex (render/latex.py)
    "Answers": "답",
    "Gradient check": "Gradient check",
    "right": "맞음",
    "wrong, the answer is {answer}": "틀림, 답은 {answer}",
    "the words are in Korean: load the kotex package (texlive-lang-korean) in the document's preamble, or compile "
    "with xelatex": "글이 한국어입니다: 문서의 preamble에서 kotex 패키지 (texlive-lang-korean)를 쓰거나, xelatex로 "
                    "컴파일하세요",
    "room for the stacked fractions": "쌓은 분수를 위한 공간",
    # the array ops' notes and their Jacobians' structure (core/ops.py, core/trace.py)
    "Dot product of two vectors: each one's gradient is the other, scaled by the upstream.":
        "두 벡터의 내적: 각 벡터의 gradient는 다른 벡터에 upstream을 곱한 것입니다.",
    "Log-softmax along the last axis, computed stably.": "마지막 축을 따라 안정적으로 계산한 log-softmax.",
    "Matrix product (vectors, matrices, batches). ∂/∂W of W@x sends upstream·xᵀ, ∂/∂x sends Wᵀ·upstream.":
        "행렬 곱 (벡터, 행렬, batch). W@x의 ∂/∂W는 upstream·xᵀ를, ∂/∂x는 Wᵀ·upstream을 보냅니다.",
    "Softmax along the last axis.": "마지막 축을 따라 계산한 softmax.",
    "Softmax cross-entropy, averaged over the rows of scores; y holds integer labels.":
        "softmax cross-entropy, scores의 행에 대해 평균; y는 정수 label입니다.",
    "Sum of all elements: distributes the upstream gradient to every element.":
        "모든 원소의 합: upstream gradient를 모든 원소에 나눠 줍니다.",
    "The Euclidean norm; its gradient x/‖x‖ is undefined at 0.":
        "유클리드 norm; gradient x/‖x‖는 0에서 정의되지 않습니다.",
    "The multiclass hinge loss with margin 1, averaged over the rows of scores.":
        "margin 1인 multiclass hinge loss, scores의 행에 대해 평균.",
    "a permutation: transposes the upstream": "순열: upstream을 전치합니다",
    "all 1/n: shares the upstream evenly": "모두 1/n: upstream을 똑같이 나눕니다",
    "all ones: copies the upstream to every element": "모두 1: upstream을 모든 원소에 복사합니다",
    "as in W·x, the matrix product's: sends upstream·{1}ᵀ": "W·x처럼 행렬 곱의 것: upstream·{1}ᵀ를 보냅니다",
    "as in W·x, the matrix product's: sends {0}ᵀ·upstream": "W·x처럼 행렬 곱의 것: {0}ᵀ·upstream을 보냅니다",
    "block-structured: sends upstream·{1}ᵀ": "block 구조: upstream·{1}ᵀ를 보냅니다",
    "block-structured: sends {0}ᵀ·upstream": "block 구조: {0}ᵀ·upstream을 보냅니다",
    "dense within each row: I - 1·pᵀ, p = softmax(x)": "각 행 안에서 dense: I - 1·pᵀ, p = softmax(x)",
    "dense within each row: diag(p) - p·pᵀ, p = softmax(x)": "각 행 안에서 dense: diag(p) - p·pᵀ, p = softmax(x)",
    "diagonal": "대각",
    "diagonal, broadcast (each input element feeds several outputs)":
        "대각, broadcast (입력 원소 하나가 여러 출력에 쓰임)",
    "none: labels are not differentiable": "없음: label은 미분할 수 없습니다",
    "one row: (p - one-hot(y)) / N, p = softmax(scores)": "한 행: (p - one-hot(y)) / N, p = softmax(scores)",
    "one row: 1 where a margin is violated, minus their count at y, over N":
        "한 행: margin을 어긴 곳은 1, y에서는 그 개수를 뺀 값, N으로 나눔",
    "one row: the other vector, {0}": "한 행: 다른 벡터 {0}",
    "one row: the other vector, {1}": "한 행: 다른 벡터 {1}",
    "one row: {0}/‖{0}‖": "한 행: {0}/‖{0}‖",
    "x.T or transpose(x): reverses the axes.": "x.T 또는 transpose(x): 축의 순서를 뒤집습니다.",
    "· and × as the slides write them: the matrix/dot product between two arrays, the ordinary product when either "
    "side is a number.": "슬라이드처럼 쓴 ·와 ×: 두 배열 사이에서는 행렬/내적 곱, 한쪽이 숫자이면 보통의 곱.",
    "{origin}: not valid TOML ({exc})": "{origin}: 올바른 TOML이 아닙니다 ({exc})",
    # symbolic and exact modes' budget (symbolic.Budget)
    "a number of about {digits:,.0f} digits": "약 {digits:,.0f}자리 수",
    "a number of {digits:,} digits": "{digits:,}자리 수",
    "an exact number that nests functions {nesting} deep": "함수를 {nesting}겹 중첩한 exact 수",
    "an expression": "식",
    "an expression nested {depth} deep": "{depth}겹 중첩된 식",
    "an expression of more than {limit:,} parts": "{limit:,}개가 넘는 부분으로 된 식",
    "an expression of {size:,} parts": "{size:,}개 부분으로 된 식",
    "bind the variables to grade numbers instead": "대신 변수에 값을 주어 숫자로 채점하세요",
    "downstream gradient": "downstream gradient",
    "exact": "exact",
    "expressions of {total:,} parts together": "합쳐서 {total:,}개 부분으로 된 식들",
    "local gradient ∂{name}/∂{input}": "local gradient ∂{name}/∂{input}",
    "the answer's difference from the true value": "답과 참값의 차이",
    "the constant {text}": "상수 {text}",
    "the trace": "trace 전체",
    "the value of {name}": "{name}의 값",
    "{limit:,} digits": "{limit:,}자리",
    "{limit:,} parts": "{limit:,}개 부분",
    "{limit} levels": "{limit}겹",
    "{limit} levels (exact arithmetic does about three times the work at each)":
        "{limit}겹 (exact 계산은 한 겹마다 약 세 배의 일을 합니다)",
    "{name} = {expr}: its {what}": "{name} = {expr}: 그 {what}",
    "{origin}: the answer": "{origin}: 답",
    "{origin}: {name}": "{origin}: {name}",
    "{where} is too large to decide within the budget ({size:,} parts, functions nested {nesting} deep)":
        "{where}은(는) 너무 커서 budget 안에서 판정할 수 없습니다 ({size:,}개 부분, 함수 {nesting}겹 중첩)",
    "{where} would be {what}, and {mode} mode stops at {limit}":
        "{where}은(는) {what}이(가) 될 텐데, {mode} 모드는 {limit}에서 멈춥니다",
    "∂{out}/∂{name}": "∂{out}/∂{name}",
    "{question} ({wrong} wrong, {unreadable} unreadable and {missing} missing of {asked})":
        "{question} ({asked}개 중 {wrong}개 틀림, {unreadable}개 읽을 수 없음, {missing}개 빠짐)",
    "{question} ({unreadable} of {answered} unreadable)": "{question} ({answered}개 중 {unreadable}개 읽을 수 없음)",
    "a decimal comma: write {number} with a point": "소수점 쉼표입니다: 점을 써서 {number}(으)로 쓰세요",
    "{origin}: {target} = {value} is a constant, folded into the gates that use it, so the trace has no wire "
    "{target}": "{origin}: {target} = {value}은(는) 상수라서 그것을 쓰는 gate에 접혀 들어가므로, trace에 {target} wire가 없습니다",
    "to ask for ∂{output}/∂{target}, make it an input: drop the statement and bind -{target} {value}":
        "∂{output}/∂{target}을(를) 물으려면 입력으로 만드세요: 그 문장을 지우고 -{target} {value}(으)로 값을 주세요",
    "the line is not UTF-8 text": "그 줄은 UTF-8 텍스트가 아닙니다",
    # named copies (a = x)
    "one branch of the copy of {source}": "{source}의 copy gate의 한 가지(branch)",
    "another name for {source}, its only use": "{source}의 다른 이름 (그 유일한 사용처)",
    "a copy of {source}": "{source}의 복사본",
    "{branch}: it passes its upstream gradient {up} back to {source} unchanged.":
        "{branch}: upstream gradient {up}을(를) 그대로 {source}에 돌려보냅니다.",
    "{origin}: {target} does not reach the output {output}, so the trace has no node {target}":
        "{origin}: {target}은(는) 출력 {output}에 닿지 않으므로 trace에 노드 {target}이(가) 없습니다",
    "∂{output}/∂{target} is 0 there: ask about a value that {output} uses":
        "그 경우 ∂{output}/∂{target}은(는) 0입니다: {output}이(가) 쓰는 값을 물어보세요",
    # standard input
    "{option} -: standard input is closed": "{option} -: standard input이 닫혀 있습니다",
    "give the input on standard input, or name a file": "standard input으로 입력을 주거나, 파일 이름을 주세요",
    "the quiz reads its answers from standard input, and standard input is closed":
        "퀴즈는 standard input에서 답을 읽는데, standard input이 닫혀 있습니다",
    "run it at a terminal, pipe the answers in, or write a sheet with --worksheet":
        "터미널에서 실행하거나, 답을 pipe로 넣거나, --worksheet로 문제지를 만드세요",
    # batches (--vars)
    "--vars {path} line {k}: {message}": "--vars {path} {k}번째 줄: {message}",
    # worksheets and the files they write
    "--from, --blank, --pdf and --replace make a worksheet: add --worksheet and --out DIR":
        "--from, --blank, --pdf, --replace는 문제지를 만듭니다: --worksheet와 --out DIR을 더하세요",
    "Replace the --out folder even if it holds files gradtrace did not write (they are deleted).":
        "--out 폴더에 gradtrace가 쓰지 않은 파일이 있어도 폴더를 바꿉니다 (그 파일들은 지워집니다).",
    "Where --worksheet writes its files: a new or empty folder, or one it wrote before.":
        "--worksheet가 파일을 쓸 곳: 새 폴더나 빈 폴더, 또는 전에 gradtrace가 쓴 폴더.",
    "no problem worth doing came out of {draws} random circuits at difficulty {difficulty}; try another --seed":
        "난이도 {difficulty}에서 무작위 회로 {draws}개를 만들었지만 풀 만한 문제가 나오지 않았습니다. "
        "다른 --seed를 써 보세요",
    "a block device": "block device",
    "a socket": "socket",
    "can't write {path}: it changed into a special file while it was written":
        "{path}에 쓸 수 없습니다: 쓰는 동안 특수 파일로 바뀌었습니다",
    "can't write {path}: it is a FIFO and nothing is reading it":
        "{path}에 쓸 수 없습니다: FIFO인데 읽는 프로그램이 없습니다",
    "can't write {path}: it is {kind}, and gradtrace writes only files, character devices and FIFOs":
        "{path}에 쓸 수 없습니다: {kind}이고, gradtrace는 파일, character device, FIFO에만 씁니다",
    "choose a new or empty folder, or add --replace to replace this one, and everything in it, whole":
        "새 폴더나 빈 폴더를 고르거나, --replace를 더해 이 폴더를 그 안의 모든 것과 함께 통째로 바꾸세요",
    "choose another path": "다른 경로를 고르세요",
    "start the program that reads it first": "그것을 읽는 프로그램을 먼저 시작하세요",
    "{path} holds files gradtrace did not write ({names}); it replaces only a folder it wrote itself":
        "{path}에 gradtrace가 쓰지 않은 파일이 있습니다 ({names}). gradtrace는 자기가 쓴 폴더만 바꿉니다",
}

# Plural messages: Korean has one form (nplurals=1).
KO_PLURAL = {
    "bind it, e.g. {example}": "값을 주세요. 예: {example}",
    "no value for the variable {names}": "변수 {names}의 값이 없습니다",
    "{name} needs {arity} argument, got {n_pos}": "{name}에는 인자가 {arity}개 필요한데, {n_pos}개를 받았습니다",
    "Did you mean {possibility}?": "혹시 {possibility}인가요?",
    "Got unexpected extra argument ({args})": "예상하지 못한 인자가 더 있습니다 ({args})",
    "Option {name!r} requires an argument.": "옵션 {name!r}에는 값이 필요합니다.",
    "{value!r} is not {choice}.": "{value!r}은(는) {choice} 중 하나가 아닙니다.",
    "{count} of {total} file could not be graded": "파일 {total}개 중 {count}개를 채점하지 못했습니다",
    "{count} answer missing": "빠진 답 {count}개",
    "{count} answer could not be read": "읽을 수 없는 답 {count}개",
    "note: --vars {path}: {names} is not in this expression, so left out":
        "참고: --vars {path}: {names}은(는) 이 식에 없으므로 빼 둡니다",
    "note: the output is {output}, and {statements} does not reach it, so it is left out (--output NAME traces "
    "another value)": "참고: 출력은 {output}이고, {statements}은(는) 출력에 닿지 않으므로 빼 둡니다 "
                      "(--output NAME으로 다른 값을 trace할 수 있습니다)",
    "{count} submission": "제출 {count}건",
    "{name} is used {count} time: it is a copy gate, and a copy gate {adds} — work out what each use sends back, "
    "then add them.": "{name}은(는) {count}번 쓰입니다: copy gate이고, copy gate는 {adds}. 각 쓰임에서 돌아오는 "
                      "값을 구한 다음 더하세요.",
    "{name} is used {count} time ({uses}): a copy gate, an adder: its gradients add up, {sum}":
        "{name}은(는) {count}번 쓰입니다 ({uses}): copy gate, 곧 adder이므로 gradient가 더해집니다. {sum}",
    "{gate}, a router: it routes the whole upstream gradient {up} to {winner}; {others} gets 0.":
        "{gate}, router: upstream gradient {up} 전체를 {winner}(으)로 보내고, {others}은(는) 0을 받습니다.",
    "at {count} decimal that is {value}": "소수점 {count}자리로는 {value}",
    "… {count} more node, nearer the inputs: --full shows them all, and --format csv or --json carry everything":
        "… 입력 쪽으로 노드 {count}개가 더 있습니다: --full로 모두 보이고, "
        "--format csv와 --json에는 모두 들어 있습니다",
}


def main() -> int:
    import sys
    from pathlib import Path

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    root = Path(__file__).resolve().parent.parent
    template = read_po((root / "gradtrace/locale/gradtrace.pot").open("rb"))
    catalog = Catalog(locale="ko", domain="gradtrace", project="gradtrace", version=None, fuzzy=False,
                      language_team="gradtrace (tools/ko.py)", last_translator="gradtrace developers")
    missing = []
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            text = KO_PLURAL.get(message.id[0])
            translation: object = (text or "",) * catalog.num_plurals
        else:
            text = KO.get(message.id)
            translation = text or ""
        if text is None:
            missing.append(message.id)
        added = catalog.add(message.id, translation, flags=message.flags)
        added.flags.discard("python-format")  # ours are {brace} formats; "1% or" is no %-format
    out = root / "gradtrace/locale/ko/LC_MESSAGES/gradtrace.po"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as stream:
        write_po(stream, catalog, sort_output=True, width=120)
    from babel.messages.mofile import write_mo

    with out.with_suffix(".mo").open("wb") as stream:  # the compiled catalog gradtrace ships
        write_mo(stream, catalog)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    stale = [k for k in (*KO, *KO_PLURAL) if k not in ids]  # the code no longer says these
    for message_id in missing:
        print(f"untranslated: {message_id!r}", file=sys.stderr)
    for message_id in stale:
        print(f"no longer in the code: {message_id!r}", file=sys.stderr)
    return 1 if missing or stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
