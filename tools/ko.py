"""The Korean catalog's translations, kept as a table that writes gradtrace/locale/ko/LC_MESSAGES/
gradtrace.po from the extracted template (python tools/ko.py after pybabel extract; see
CONTRIBUTING.md). Terms follow the lecture notes in ../shared/seeds: gradient, upstream, local,
downstream, gate, distributor, router, switcher, kink and the like stay in English, as the notes
write them, inside Korean sentences. The glossary is in docs/glossary.ko.md."""

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
}

# Plural messages: Korean has one form (nplurals=1).
KO_PLURAL = {
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
        catalog.add(message.id, translation, flags=message.flags)
    out = root / "gradtrace/locale/ko/LC_MESSAGES/gradtrace.po"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as stream:
        write_po(stream, catalog, sort_output=True, width=120)
    for message_id in missing:
        print(f"untranslated: {message_id!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
