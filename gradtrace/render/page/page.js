(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gradtrace-data").textContent);
  function say(message, fields) {  // a message of the page's language, its {fields} filled in
    return message.replace(/\{(\w+)\}/g, function (whole, key) { return key in fields ? fields[key] : whole; });
  }

  // ---- Reading an answer: gradtrace/answers.py's read_answer and Rule, line for line ----------
  // A number is read as Python's float() reads it; anything else as a constant expression by a
  // small port of gradtrace's parser (numbers, + - * / ** ^ × · ⋅ ÷ −, √, superscripts, 2π and
  // 3(…), pi, π, e, and the functions below). Whatever the command line refuses, this refuses.
  // Beside its float, each number carries its exact value as a fraction of BigInts where
  // answers.py's exact_value has one (written numbers, + - * / and whole powers), since the rule
  // depends on the number, not on its spelling: -0.2, -2e-1 and -1/5 get one rule.
  var SPACES = "\t\n\u000b\f\r \u001c-\u001f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
  var STRIP = new RegExp("^[" + SPACES + "]+|[" + SPACES + "]+$", "g");  // Python's str.strip()
  var NUMBER = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
  var EPS = Math.pow(2, -52), MAX_TEXT = 200, MAX_DECIMALS = 20, MAX_EXACT_BITS = 4096;
  function tenTo(k) { return parseFloat("1e" + k); }  // 10.0 ** k, correctly rounded as in Python
  var FUNCTIONS = {FUNCTIONS};
  var ALIASES = {ALIASES};
  var BINARY = {"+": [1, false], "-": [1, false], "*": [2, false], "/": [2, false], "×": [2, false],
                "·": [2, false], "⋅": [2, false], "**": [4, true], "^": [4, true]};
  var SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", PLAIN = "0123456789-+";
  var TOKEN = new RegExp("[ \\t\\r\\f]*(?:(\\*\\*|[-+*/^@·⋅×√(),=;\\n])" +
    "|([A-Za-z_][A-Za-z0-9_]*(?:(?![π⁰¹²³⁴⁵⁶⁷⁸⁹])[\\p{L}\\p{N}_])*|π|(?![π\\p{Nd}⁰¹²³⁴⁵⁶⁷⁸⁹])[\\p{L}_]" +
    "(?:(?![π⁰¹²³⁴⁵⁶⁷⁸⁹])[\\p{L}\\p{N}_])*)" +
    "|((?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)|([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(\\.[A-Za-z_][A-Za-z0-9_]*))", "uy");
  var KINDS = [null, "op", "name", "number", "sup", "attr"];
  function tokens(text) {  // a comment runs to the end of its line (gone first: JavaScript has no possessive *+)
    text = text.replace(/#[^\n]*/g, "");
    var out = [], m;
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < text.length) {
      var from = TOKEN.lastIndex;
      m = TOKEN.exec(text);
      if (!m) {
        if (/^[ \t\r\f]*$/.test(text.slice(from))) break;  // spaces at the end
        return null;
      }
      var kind = 1;
      while (m[kind] === undefined) kind++;
      out.push({kind: KINDS[kind], text: m[kind], start: TOKEN.lastIndex - m[kind].length, end: TOKEN.lastIndex});
    }
    out.push({kind: "end", text: "", start: text.length, end: text.length});
    return out;
  }

  // Exact numbers: {n, d} with d > 0 and no common factor, as Python's Fraction keeps them.
  function bits(x) { if (x < 0n) x = -x; return x === 0n ? 0 : x.toString(2).length; }
  function gcd(a, b) { if (a < 0n) a = -a; while (b) { var t = a % b; a = b; b = t; } return a; }
  function fraction(n, d) {
    if (d === 0n) return null;
    if (d < 0n) { n = -n; d = -d; }
    var g = gcd(n, d) || 1n;
    return {n: n / g, d: d / g};
  }
  function exactText(text) {  // Fraction(text) for a number as NUMBER reads it
    var m = NUMBER.exec(text), sign = text[0] === "-" ? -1n : 1n;
    var mantissa = m[1], point = mantissa.indexOf("."), places = point < 0 ? 0 : mantissa.length - point - 1;
    var e = (m[2] ? parseInt(m[2].slice(1), 10) : 0) - places;
    var n = sign * BigInt(mantissa.replace(".", "") || "0");
    return e >= 0 ? fraction(n * 10n ** BigInt(e), 1n) : fraction(n, 10n ** BigInt(-e));
  }
  function small(f) { return f !== null && Math.max(bits(f.n), bits(f.d)) <= MAX_EXACT_BITS ? f : null; }
  function exactly(op, a, b) {  // answers._exactly: + - * / and whole powers, else null
    if (a === null || b === null) return null;
    if (op === "+") return small(fraction(a.n * b.d + b.n * a.d, a.d * b.d));
    if (op === "-") return small(fraction(a.n * b.d - b.n * a.d, a.d * b.d));
    if (op === "/") return small(fraction(a.n * b.d, a.d * b.n));
    if (op === "**" || op === "^") {
      if (b.d !== 1n) return null;
      var k = b.n < 0n ? -b.n : b.n;
      if (Math.max(bits(a.n), bits(a.d)) * Number(k) > MAX_EXACT_BITS) return null;
      var up = fraction(a.n ** k, a.d ** k);
      return small(b.n < 0n ? fraction(up.d, up.n) : up);
    }
    return small(fraction(a.n * b.n, a.d * b.d));
  }
  function toFloat(f) {  // float(Fraction): the nearest double, ties to even; Infinity if too large
    var negative = f.n < 0n, p = negative ? -f.n : f.n, q = f.d;
    if (p === 0n) return 0;
    var e = bits(p) - bits(q) - 53;  // p / q / 2^e then has 53 or 54 bits
    if (e < -1074) e = -1074;
    var shifted = function (e) { return e >= 0 ? [p, q << BigInt(e)] : [p << BigInt(-e), q]; };
    var pq = shifted(e), m = pq[0] / pq[1];
    if (m >= 1n << 53n) { e += 1; pq = shifted(e); m = pq[0] / pq[1]; }
    var twice = 2n * (pq[0] - m * pq[1]);
    if (twice > pq[1] || (twice === pq[1] && (m & 1n))) m += 1n;
    var value = Number(m) * Math.pow(2, e);
    return negative ? -value : value;
  }

  function finite(v) { if (!isFinite(v)) throw "undefined"; return v; }
  function apply(op, a, b) {  // a binary gate on two constants, with its domain: [float, exact]
    var x = a[0], y = b[0], v;
    if (op === "+") v = x + y;
    else if (op === "-") v = x - y;
    else if (op === "/") v = y !== 0 ? x / y : NaN;
    // A power of two numbers has x^c's domain: (-2)^2 is 4, (-8)^(1/3) and 0^-1 are refused.
    else if (op === "**" || op === "^") {
      v = (Number.isInteger(y) || x >= 0) && (y >= 0 || x !== 0) ? Math.pow(x, y) : NaN;
    }
    else v = x * y;
    return [finite(v), exactly(op, a[1], b[1])];
  }
  function constant(text) {  // gradtrace.core.graph.constant and answers.exact_value: [float, exact]
    var toks = tokens(text.replace(/\u2212/g, "-").replace(/\u00f7/g, "/"));
    if (!toks) throw "token";
    var i = 0, depth = 0;
    function skipLines() { while (depth && toks[i].kind === "op" && toks[i].text === "\n") i++; }
    function expression(least, left) {
      if (left === undefined) left = operand();
      for (;;) {
        skipLines();
        var t = toks[i], prev = toks[i - 1], op = null;
        if (t.kind === "op" && BINARY.hasOwnProperty(t.text)) op = t.text;
        else if (t.kind === "sup") op = "**";
        else if (t.kind === "attr") {
          if (t.text !== ".T") throw "attribute";
          i++;  // a number's transpose is itself
          continue;
        } else if ((t.kind === "name" || (t.kind === "op" && t.text === "(")) && prev.end === t.start &&
                   (prev.kind === "number" || (prev.kind === "name" && prev.text === "π"))) op = "*";  // 2π, 3(…)
        if (op === null) return left;
        var precedence = BINARY[op][0], right = BINARY[op][1];
        if (precedence < least) return left;
        if (t.kind === "sup") {  // x² is x**2: the operator and its exponent at once
          i++;
          var exponent = t.text.replace(/./g, function (c) { return PLAIN[SUPERSCRIPT.indexOf(c)]; });
          left = apply("**", left, expression(precedence, [parseFloat(exponent), exactText(exponent)]));
          continue;
        }
        if (!(op === "*" && t.text !== "*")) i++;
        left = apply(op, left, expression(right ? precedence : precedence + 1));
      }
    }
    function call(name) {  // name( was read: its arguments and the closing )
      var args = [expression(0)];
      skipLines();
      while (name === "pow" && args.length < 2 && toks[i].kind === "op" && toks[i].text === ",") {
        i++;
        args.push(expression(0));
        skipLines();
      }
      if (toks[i].kind !== "op" || toks[i].text !== ")") throw "arguments";
      i++;
      depth--;
      if (name === "pow") {
        if (args.length !== 2) throw "arguments";
        return apply("**", args[0], args[1]);
      }
      return [finite(FUNCTIONS[name](args[0][0])), null];
    }
    function operand() {
      skipLines();
      var t = toks[i++];
      if (t.kind === "op" && (t.text === "-" || t.text === "+" || t.text === "√")) {
        var v = expression(4);  // unary minus, plus and √ bind less tightly than a power: -2**2 is -4
        if (t.text === "+") return v;
        if (t.text === "-") return [-v[0], v[1] && fraction(-v[1].n, v[1].d)];
        return [finite(v[0] >= 0 ? Math.sqrt(v[0]) : NaN), null];
      }
      if (t.kind === "number") return [finite(parseFloat(t.text)), small(exactText(t.text))];
      if (t.kind === "op" && t.text === "(") {
        depth++;
        var inner = expression(0);
        skipLines();
        if (toks[i].text !== ")" || toks[i].kind !== "op") throw "parenthesis";
        i++;
        depth--;
        return inner;
      }
      if (t.kind === "name" && toks[i].kind === "op" && toks[i].text === "(") {
        var name = ALIASES.hasOwnProperty(t.text) ? ALIASES[t.text] : t.text;
        if (name !== "pow" && !FUNCTIONS.hasOwnProperty(name)) throw "function";
        i++;
        depth++;
        return call(name);
      }
      if (t.kind === "name" && (t.text === "pi" || t.text === "π")) return [Math.PI, null];
      if (t.kind === "name" && t.text === "e") return [Math.E, null];
      throw "operand";
    }
    var value = expression(0);
    if (toks[i].kind !== "end") throw "end";
    return value;
  }
  function significant(whole) { return Math.max(1, whole.toString().replace(/0+$/, "").length); }
  function ruleFor(value, exact, precision, decimals) {  // answers.rule_for
    if (value === 0) return {value: value, kind: "zero", place: 0, digits: 0};
    var digits = function (k) {  // with --decimals, a whole number or 1/3 rounds at the decimals shown
      if (decimals !== null && decimals !== undefined) {
        return {value: value, kind: "decimals", place: tenTo(-decimals), digits: 0};
      }
      return {value: value, kind: "digits", place: 0, digits: k};
    };
    if (exact === null || exact.n === 0n) return digits(precision);
    var numerator = exact.n < 0n ? -exact.n : exact.n, denominator = exact.d;
    if (denominator === 1n) return digits(Math.max(precision, significant(numerator)));
    var twos = bits(denominator & -denominator) - 1, rest = denominator >> BigInt(twos), fives = 0;
    while (rest % 5n === 0n) { rest /= 5n; fives++; }
    if (rest !== 1n) return digits(precision);
    var places = Math.max(twos, fives);
    if (places <= MAX_DECIMALS) return {value: value, kind: "decimals", place: tenTo(-places), digits: 0};
    var kept = significant(numerator * 10n ** BigInt(places) / denominator);
    return {value: value, kind: "digits", place: 0, digits: kept};
  }
  // An answer's value and the rule it is graded by (kind: decimals, digits or zero), or null
  // where the command line refuses it. decimals: the page shows numbers with that many (--decimals).
  function read(text, precision, decimals) {
    text = String(text).split("\u2248")[0].replace(STRIP, "");
    if (!text || Array.from(text).length > MAX_TEXT) return null;
    var m = NUMBER.exec(text), value, exact;
    if (m) {
      if (m[2] && Math.abs(parseInt(m[2].slice(1), 10)) > 400) return null;
      value = parseFloat(text);
      if (!isFinite(value)) return null;
      exact = exactText(text);
    } else {
      try { var both = constant(text); } catch (refused) { return null; }
      value = both[0];
      exact = both[1];
      if (exact !== null) {
        var nearest = toFloat(exact);  // 0.1 + 0.2 is 0.3, and 0.1 + 0.2 - 0.3 is 0, as written
        if (isFinite(nearest)) value = nearest; else exact = null;
      }
    }
    return ruleFor(value, exact, precision, decimals);
  }
  function allows(rule, actual, noise) {  // Rule.allows
    if (!isFinite(actual)) return false;
    var given = rule.value;
    if (rule.kind === "zero") return Math.abs(actual) <= noise;
    var slack = 4 * EPS * Math.max(Math.abs(actual), Math.abs(given)) + noise;
    if (rule.kind === "decimals") return Math.abs(actual - given) <= 0.5 * rule.place * (1 + 1e-9) + slack;
    var e = Math.floor(Math.log10(Math.abs(given)));
    return Math.abs(actual - given) <= 0.5 * tenTo(e - rule.digits + 1) * (1 + 1e-9) + slack;
  }
  // --decimals N shows N decimals and grades at them; significant digits are then --precision's 4.
  var PRECISION = data.decimals ? 4 : data.precision, DECIMALS = data.decimals ? data.precision : null;
  function grade(text, actual, noise, precision, decimals) {  // true, false, or null for an answer refused
    var rule = precision === undefined ? read(text, PRECISION, DECIMALS) : read(text, precision, decimals);
    return rule === null ? null : allows(rule, actual, noise || 0);
  }
  window.gradtraceRead = read;
  window.gradtraceGrade = grade;

  var steps = data.steps, n = steps.length, at = 0, hiding = false, stepping = n > 0;
  if (!n) return;  // a lone variable: nothing to step through, everything is shown
  var body = document.body, controls = document.getElementById("controls");
  var stepBox = document.getElementById("step"), where = document.getElementById("where");
  var hide = document.getElementById("hide"), figure = document.querySelector("figure");
  var gates = {};
  document.querySelectorAll("figure svg g.node").forEach(function (g) {
    var title = g.querySelector("title");
    if (title) gates[title.textContent] = g;
  });
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-node]"));
  var told = Array.prototype.slice.call(document.querySelectorAll("[data-at]"));
  data.wires.forEach(function (wire, k) {
    var g = gates["w" + (k + 1)];
    if (g && wire.seed) g.classList.add("seed");
  });

  // The current gate stays on the screen: scrolled into the picture sideways (a phone shows
  // part of it), and the page up or down to below the controls that stay at the top.
  function keepInView() {
    var gate = gates[steps[at].id];
    if (!gate) return;
    var r = gate.getBoundingClientRect(), f = figure.getBoundingClientRect();
    if (r.left < f.left || r.right > f.right) figure.scrollLeft += (r.left + r.right - f.left - f.right) / 2;
    for (var pass = 0; pass < 2; pass++) {  // the controls may stick to the top only after a scroll
      r = gate.getBoundingClientRect();
      var top = Math.max(0, controls.getBoundingClientRect().bottom) + 8, bottom = window.innerHeight - 8;
      if (r.top < top) window.scrollBy(0, r.top - top);
      else if (r.bottom > bottom) window.scrollBy(0, Math.min(r.bottom - bottom, r.top - top));
    }
  }
  function show() {
    at = Math.max(0, Math.min(n - 1, at));
    var step = steps[at], back = step.phase === "backward";
    var adder = step.copy ? "a" + step.id.slice(1) : null;  // a copy gate's step: its adder point too
    Object.keys(gates).forEach(function (id) {
      gates[id].classList.toggle("current", id === step.id || id === adder);
    });
    data.wires.forEach(function (wire, k) {
      var g = gates["w" + (k + 1)];
      if (!g) return;
      g.classList.toggle("no-value", wire.value_at > at);
      g.classList.toggle("no-grad", !back || wire.grad_at > at);
    });
    rows.forEach(function (row) {
      var valueAt = +row.dataset.valueAt, gradAt = +row.dataset.gradAt;
      row.classList.toggle("current", row.dataset.node === step.id);
      row.classList.toggle("no-value", valueAt > at);
      row.classList.toggle("no-grad", !back || gradAt > at);
      row.classList.toggle("not-done", !back || +row.dataset.doneAt > at);
    });
    told.forEach(function (line) { line.classList.toggle("later", +line.dataset.at > at); });
    body.classList.toggle("forward", !back);
    where.textContent = say(data.words.step, {n: at + 1, total: n, phase: step.phase, name: step.name});
    stepBox.textContent = step.text;
    document.getElementById("back").disabled = at === 0;
    document.getElementById("next").disabled = at === n - 1;
    history.replaceState(null, "", "#step=" + (at + 1) + (hiding ? "&hide=1" : ""));
    keepInView();
  }

  // The self-test: each red number on a wire becomes a box to type that gradient into, and each
  // upstream gradient of the table too. A box in the table and the box on the wire that carries
  // the same gradient hold one answer: typing in either fills the other.
  var partner = new Map();
  function verdict(input, actual, noise) {
    var text = input.value, out = input.parentNode.querySelector("output");
    var said = text.trim() === "" ? undefined : grade(text, actual, noise);
    out.textContent = said === undefined ? "" : (said === null ? data.words.number
      : (said ? data.words.right : data.words.not_yet));
    out.className = said === true ? "right" : (said === false ? "wrong" : "");
    var mark = input.parentNode.querySelector(".mark");
    if (mark) mark.textContent = said === undefined ? "" : (said === null ? "?" : (said ? "✓" : "✗"));
    input.setAttribute("aria-invalid", said === false ? "true" : "false");
    if (said === null) input.title = data.words.how; else input.removeAttribute("title");
  }
  function attach(input, actual, noise) {
    input.gradeIt = function () { verdict(input, actual, noise); };
    input.addEventListener("input", function () {
      input.gradeIt();
      var other = partner.get(input);
      if (other) { other.value = input.value; other.gradeIt(); }
    });
  }
  var tableBox = {};
  document.querySelectorAll(".answer input").forEach(function (input) {
    attach(input, parseFloat(input.dataset.true), parseFloat(input.dataset.noise));
    tableBox[input.closest("tr").dataset.node] = input;
  });
  var boxesMade = false;
  function makeBoxes() {
    boxesMade = true;
    data.wires.forEach(function (wire, k) {
      var g = gates["w" + (k + 1)];
      var red = g && !wire.seed && wire.label && g.querySelector('text[fill="#cf222e"]');
      if (!red) return;
      var box = red.getBBox(), ns = red.namespaceURI;
      var fo = document.createElementNS(ns, "foreignObject");
      fo.setAttribute("x", box.x - 6); fo.setAttribute("y", box.y - 2);
      fo.setAttribute("width", Math.max(box.width + 26, 60)); fo.setAttribute("height", box.height + 4);
      fo.setAttribute("class", "wire-answer");
      fo.dataset.wire = k;
      var span = document.createElement("span");
      var input = document.createElement("input");
      input.type = "text"; input.inputMode = "decimal";
      input.setAttribute("aria-label", say(data.words.your, {gradient: wire.label}));
      var mark = document.createElement("span");
      mark.className = "mark"; mark.setAttribute("aria-hidden", "true");
      var out = document.createElement("output");
      out.setAttribute("aria-live", "polite");
      span.appendChild(input); span.appendChild(mark); span.appendChild(out); fo.appendChild(span);
      red.parentNode.appendChild(fo);
      attach(input, wire.true, wire.noise);
      var twin = wire.node === null ? null : tableBox["n" + wire.node];
      if (twin) {
        partner.set(input, twin); partner.set(twin, input);
        if (twin.value) { input.value = twin.value; input.gradeIt(); }
      }
    });
  }
  var scrollers = document.querySelectorAll("figure, div.scroll");
  function setHiding(on) {
    hiding = on;
    hide.checked = on;
    body.classList.toggle("hiding", on);
    if (on && !boxesMade) makeBoxes();
    // The picture and the table scroll on a narrow screen, so they take the focus, unless they hold boxes.
    scrollers.forEach(function (el) {
      if (on) el.removeAttribute("tabindex"); else el.setAttribute("tabindex", "0");
    });
    var svg = document.querySelector("figure svg");  // an image, or a group holding the boxes
    if (svg) svg.setAttribute("role", on ? "group" : "img");
    if (stepping) show();
  }
  function showAll() {
    body.classList.remove("stepping", "forward");
    rows.forEach(function (row) { row.classList.remove("current", "no-value", "no-grad", "not-done"); });
    Object.keys(gates).forEach(function (id) { gates[id].classList.remove("current", "no-value", "no-grad"); });
    told.forEach(function (line) { line.classList.remove("later"); });
    where.textContent = data.words.all;
    stepBox.textContent = "";
    stepping = false;
  }
  function go(k) {
    if (!stepping) { stepping = true; body.classList.add("stepping"); }
    at = k;
    show();
  }
  document.getElementById("next").addEventListener("click", function () { go(at + 1); });
  document.getElementById("back").addEventListener("click", function () { go(at - 1); });
  document.getElementById("restart").addEventListener("click", function () { go(0); });
  document.getElementById("all").addEventListener("click", showAll);
  hide.addEventListener("change", function () { setHiding(hide.checked); });
  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "INPUT" || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowRight" || event.key === " ") { go(at + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { go(at - 1); event.preventDefault(); }
    else if (event.key === "Home") { go(0); event.preventDefault(); }
  });
  function fromAddress() {  // the permalink: #step=12&hide=1
    var state = location.hash.match(/step=(\d+)/);
    at = state ? parseInt(state[1], 10) - 1 : 0;
    stepping = true;
    body.classList.add("stepping");
    setHiding(/hide=1/.test(location.hash));
  }
  window.addEventListener("hashchange", fromAddress);
  controls.hidden = false;
  body.classList.add("js");
  fromAddress();
})();
