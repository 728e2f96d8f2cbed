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
    "the Jacobian {jacobian} is {structure}, so {gradient}": "Jacobian {jacobian}은(는) {structure}이므로 {gradient}",
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
    "a PDF in this language needs a LaTeX with its fonts, which gradtrace does not drive yet":
        "이 언어의 PDF에는 한글 글꼴이 있는 LaTeX가 필요한데, gradtrace는 아직 그것을 쓰지 못합니다",
    "no PDF was made: {reason}": "PDF를 만들지 않았습니다: {reason}",
    # error kinds (core/errors.py); the messages themselves are still English
    "binding error": "binding 오류",
    "error": "오류",
    "evaluation error": "계산 오류",
    "parse error": "구문 오류 (parse error)",
    "print worksheet.html from a browser, or make the PDF with --lang en":
        "브라우저에서 worksheet.html을 인쇄하거나, --lang en으로 PDF를 만드세요",
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
    "expression and bindings).\n\nA file that can't be read or graded is reported as that student's error and never "
    "stops the\nothers. Exit 0 when every student got every answer right, 3 when any answer is wrong, 2 when a\nfile "
    "could not be graded.":
        "반 전체를 채점합니다: SUBMISSION마다 답이 든 TOML 또는 JSON 파일입니다 (--key가 없으면 식과 값도 "
        "들어 있어야 합니다).\n\n읽거나 채점할 수 없는 파일은 그 학생의 오류로 알리고, 다른 학생은 계속 "
        "채점합니다. 모두 다 맞으면 exit 0, 틀린 답이 있으면 3, 채점하지 못한 파일이 있으면 2.",
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
    "Where --worksheet writes its files.": "--worksheet가 파일을 쓸 폴더.",
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
    "table for people; csv and json for the gradebook.": "table은 사람용, csv와 json은 성적부용.",
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
}

# Plural messages: Korean has one form (nplurals=1).
KO_PLURAL = {
    "Did you mean {possibility}?": "혹시 {possibility}인가요?",
    "Got unexpected extra argument ({args})": "예상하지 못한 인자가 더 있습니다 ({args})",
    "Option {name!r} requires an argument.": "옵션 {name!r}에는 값이 필요합니다.",
    "{value!r} is not {choice}.": "{value!r}은(는) {choice} 중 하나가 아닙니다.",
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
    for message_id in missing:
        print(f"untranslated: {message_id!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
