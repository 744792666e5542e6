"""Fail when the Spanish translation file is stale: strings missing from it, strings left
untranslated, or a compiled .mo that does not match its .po."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "src" / "ayni"
PO = APP / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
AYNI = ROOT / ".venv" / "bin" / "ayni"

ENTRY = re.compile(r'^msgid "(.*)"$')


def msgids(po: Path) -> set[str]:
    ids, current, collecting = set(), [], False
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, collecting = [ENTRY.match(line).group(1)], True  # type: ignore[union-attr]
        elif collecting and line.startswith('"'):
            current.append(line[1:-1])
        else:
            if collecting:
                ids.add("".join(current))
            collecting = False
    return ids - {""}


def untranslated(po: Path) -> list[str]:
    out = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po)],
        capture_output=True, text=True, check=True,
    ).stdout
    return sorted(msgids_from_text(out))


def msgids_from_text(text: str) -> set[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".po", delete=False, encoding="utf-8") as f:
        f.write(text)
    return msgids(Path(f.name))


def main() -> int:
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "ayni"
        shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run(
            [str(AYNI), "makemessages", "-l", "es", "--no-location", "--no-obsolete",
             "-i", "*/tests/*"],
            cwd=copy, check=True, capture_output=True,
        )
        fresh = msgids(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")
        committed = msgids(PO)
        missing = sorted(fresh - committed)
        if missing:
            problems.append(f"{len(missing)} string(s) missing from {PO.name}: {missing[:10]}")
        compiled = Path(tmp) / "django.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(PO)], check=True)
        if not MO.exists() or MO.read_bytes() != compiled.read_bytes():
            problems.append(f"{MO.name} is not compiled from the current {PO.name}")
    fuzzy = sorted(msgids_from_text(subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(PO)],
        capture_output=True, text=True, check=True,
    ).stdout))
    if fuzzy:
        # makemessages guesses a translation from a similar string and marks it fuzzy; the
        # guess is usually wrong, and gettext does not use it.
        problems.append(f"{len(fuzzy)} fuzzy translation(s) to check: {fuzzy[:10]}")
    empty = untranslated(PO)
    if empty:
        problems.append(f"{len(empty)} string(s) without a Spanish translation: {empty[:10]}")
    for problem in problems:
        print(f"translations: {problem}  (run `make messages` and translate)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
