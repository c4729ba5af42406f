"""argv -> calls for importing documents (import, verify)."""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path

from policykit.importing import draft as importer

from policykit.importing import ids as importer_ids

from policykit.importing import yaml_out as importer_yaml
from policykit.engine.build import load_and_check
from policykit.checks.approval import counted
from policykit.checks.rules import RESERVED_VERSION_NAMES
from policykit.core.errors import (CONTROLS, DIRECTION_CONTROLS, char_name, did_you_mean, errors,
                     safe_for_terminal, shown)
from policykit.source.load import parse_document
from policykit.core.model import Policy
from policykit.source.building import build_version
from policykit.source.schema import validate
from policykit.engine.write import write_new_file
from policykit.authoring.scaffold import SCHEMA_FOLDER
from policykit.importing.html import Unreadable, plain_text, read_html, source_html
from policykit.importing.text import read_text
from policykit.importing.verify import verify
from policykit.source.yaml_edit import EditError

OK, PROBLEMS, USAGE = 0, 1, 2
FORMATS = (".docx", ".md", ".markdown", ".txt", ".html", ".htm")
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_VERSION = re.compile(r"[0-9A-Za-z]+([.-][0-9A-Za-z]+)*")
SHOWN_LOST = 20
# Ids and versions name folders, files and addresses: a file name may be 255 bytes at most,
# and an address is typed, read aloud and printed.
MAX_ID_LENGTH = 60
MAX_VERSION_LENGTH = 40
_WORD = "open it in Word (or LibreOffice) and use File > Save As > Word Document (.docx), then " \
        "import the .docx"
SAVE_AS = {
    ".doc": f"it is the old Word format, which policykit cannot read: {_WORD}",
    ".dot": f"it is an old Word template: {_WORD}",
    ".docm": f"it is a Word document with macros: {_WORD}",
    ".rtf": f"Rich Text cannot be imported: {_WORD}",
    ".odt": f"OpenDocument text cannot be imported: {_WORD}",
    ".pages": "in Pages use File > Export To > Word, then import the .docx",
    ".pdf": "a PDF has lost its headings and lists: import the Word document it was made from, "
            "or copy its text into a .txt file",
}
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Office container: .doc, or an encrypted .docx


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's commands to the policykit command line."""
    command = commands.add_parser(
        "import", help="bring a policy in from Word (.docx), Markdown, text or HTML as a draft")
    command.add_argument("source", help="the document: .docx, .md, .txt or .html")
    command.add_argument("--id", required=True, dest="policy_id", metavar="ID",
                         help="the policy id, lowercase kebab-case (e.g. anti-bullying)")
    command.add_argument("--version", required=True, dest="new_version", metavar="V",
                         help='the version the draft will be, e.g. "2024.1"')
    command.add_argument("--title", metavar="T", help="the policy's title (default: the document's title)")
    command.add_argument("--owner", metavar="ROLE", help="the role that owns the policy, as in "
                         "policy/organisation.yaml (default: the first role there)")
    command.add_argument("--into-draft", action="store_true",
                         help="a revised document of an existing policy: the next draft, keeping "
                              "the ids of clauses whose words are the same or nearly the same")
    command.add_argument("--base-url", metavar="URL",
                         help="the address of the site the document was copied from: links such "
                              "as /staff/pat.html are made absolute against it")
    command.add_argument("-v", "--verbose", action="store_true",
                         help="list every guessed kind and note, not the first few")
    command.set_defaults(run=_import)
    check = commands.add_parser(
        "verify", help="list every sentence of a source document missing from a version")
    check.add_argument("policy", help="the policy id")
    check.add_argument("version", help="the version")
    check.add_argument("source", help="the document: .docx, .md, .txt or .html")
    check.set_defaults(run=_verify)
    kinds = commands.add_parser(
        "kinds", help="list the clause kinds policykit import guessed, with their text, and "
                      "confirm them")
    kinds.add_argument("policy", help="the policy id")
    kinds.add_argument("version", nargs="?", help="the version (default: the newest)")
    kinds.add_argument("--confirm", nargs="*", metavar="CLAUSE_ID",
                       help="confirm the kinds as the file now has them (correct the wrong "
                            "ones first): all of them, or only the clauses named")
    kinds.set_defaults(run=_kinds)


def _print(text: object = "", file=None) -> None:
    """Print text as check prints its messages: a control character or direction control
    (from a file name, a document's words or an argument) written as an escape such as \\x1b,
    never acted on by the terminal; a file name's undecodable bytes as \\udcXX."""
    safe = safe_for_terminal(str(text)).encode("utf-8", "backslashreplace").decode("utf-8")
    print(safe, file=file or sys.stdout)


def _usage(message: str) -> int:
    _print(f"policykit: error: {message}", file=sys.stderr)
    return USAGE


def _source(text: str) -> Path | str:
    """The source document's path, or what is wrong with it."""
    path = Path(text)
    suffix = path.suffix.lower()
    if suffix in SAVE_AS:
        return f"{text}: cannot import '{path.suffix}' — {SAVE_AS[suffix]}"
    if suffix not in FORMATS:
        return f"{text}: cannot import '{path.suffix or 'a file without extension'}' — " \
               "save the document as .docx, .md, .txt or .html"
    if not path.is_file():
        return f"{text}: no such file — check the path"
    return path


def _import(root: Path, args: argparse.Namespace) -> int:
    source = _source(args.source)
    if isinstance(source, str):
        return _usage(source)
    if not _ID.fullmatch(args.policy_id):
        return _usage(f"'{shown(args.policy_id)}' is not a policy id — use lowercase "
                      "kebab-case, e.g. anti-bullying")
    if len(args.policy_id) > MAX_ID_LENGTH:
        return _usage(f"--id '{shown(args.policy_id, 40)}' is {len(args.policy_id)} characters "
                      f"long — a policy id names its folder and its pages' addresses: keep it "
                      f"to at most {MAX_ID_LENGTH}, e.g. anti-bullying")
    if not _VERSION.fullmatch(args.new_version):
        return _usage(f"'{shown(args.new_version)}' is not a version — use digits, letters, "
                      "dots and hyphens, e.g. 2024.1")
    if len(args.new_version) > MAX_VERSION_LENGTH:
        return _usage(f"--version '{shown(args.new_version, 40)}' is {len(args.new_version)} "
                      f"characters long — a version names its file and its page's address: "
                      f"keep it to at most {MAX_VERSION_LENGTH}, e.g. 2024.1")
    if args.new_version.lower() in RESERVED_VERSION_NAMES:
        return _usage(f"'{args.new_version}' cannot be a version name: the site uses it for "
                      "another page — name versions like 2024.1")
    for option, value in (("--title", args.title), ("--base-url", args.base_url)):
        unseen = (CONTROLS.search(value) or DIRECTION_CONTROLS.search(value)) if value else None
        if unseen:
            return _usage(f"{option} '{shown(value)}' holds {char_name(unseen.group())}, which "
                          "check refuses — type it again without it")
    if args.base_url and not re.match(r"https?://[^/\s]+", args.base_url):
        return _usage(f"--base-url '{args.base_url}' is not a web address — write it as "
                      "https://www.example.org/")
    project, problems = load_and_check(root)
    folder = root / "policy" / args.policy_id
    existing = project.policy(args.policy_id)
    if args.policy_id in project.unloaded_policies or (args.into_draft and existing is None
                                                        and folder.is_dir()):
        for problem in errors(problems):
            if problem.source.path.startswith(f"policy/{args.policy_id}/"):
                _print(problem, file=sys.stderr)
        _print(f"policykit: error: policy/{args.policy_id}/ does not load — fix the errors "
              "above (policykit check), then import again", file=sys.stderr)
        return PROBLEMS
    if args.into_draft:
        if existing is None:
            return _usage(f"no policy '{args.policy_id}' in policy/ to bring a draft into — "
                          "leave out --into-draft to import a new policy")
    elif folder.exists():
        return _usage(f"policy/{args.policy_id}/ already exists — give --into-draft to bring "
                      "the document in as its next draft, or choose another --id")
    linked = None if args.into_draft else project.linked_policy(args.policy_id)
    if linked is not None:
        return _usage(f"{linked.source}: '{args.policy_id}' ({linked.title}) is registered in "
                      "policy/linked.yaml as a policy kept elsewhere — to keep it here from now "
                      "on, remove that entry and import again (links to it then open the "
                      "imported policy); or choose another --id")
    target = folder / "versions" / f"{args.new_version}.yaml"
    if target.exists():
        return _usage(f"{target.relative_to(root)} already exists — choose another --version")
    roles = [r.title for r in project.organisation.roles] if project.organisation else []
    owner = args.owner or (roles[0] if roles else None)
    if not existing and not owner:
        return _usage("give --owner: the role that owns the policy")
    if args.owner and roles and args.owner not in roles:
        return _usage(f"--owner '{args.owner}' is not a role of policy/organisation.yaml — "
                      + did_you_mean(args.owner, roles, f"use one of: {', '.join(roles)}"))
    reading = _read_or_say(source, args.base_url)
    if reading is None:
        return PROBLEMS
    organisation = project.organisation.name if project.organisation else None
    draft = importer.structure(reading.blocks,
                               args.title or (existing and existing.title),  # type: ignore[arg-type]
                               organisation)
    if not draft.sections:
        images = any(note.startswith("image ") for note in reading.notes)
        _print(f"policykit: error: {source}: no text found to import" + (
            " — it holds only images (a scanned page?): policykit imports text, so import the "
            "document the scan was made from, or type the text" if images else ""),
            file=sys.stderr)
        return PROBLEMS
    earlier = _earlier(existing) if existing else None
    importer_ids.finish(draft, earlier)
    draft.notes += importer.link_places(draft)
    title = existing.title if existing else (
        args.title or (draft.title and plain_text(draft.title)) or _title_of(source))
    if not existing and not args.title and not draft.title:
        draft.notes.append(f"the document has no title: the policy is titled '{title}' after "
                           "its file name — change it in policy.yaml, or import again with "
                           "--title")
    schemas = _schema_folder(root)
    text = importer_yaml.version_yaml(draft, args.new_version, source.name, schemas)
    version = _parse(text, target.relative_to(root).as_posix(), args.policy_id)
    policy = Policy(args.policy_id, title, owner or "", version.source, versions=(version,))

    fidelity = verify(policy, version, source, organisation)
    if fidelity.lost:
        _print_lost(source, fidelity)
        _print("policykit: nothing written", file=sys.stderr)
        return PROBLEMS
    written = _write(folder, target, text, None if existing else importer_yaml.policy_yaml(
        args.policy_id, title, owner, schemas))  # type: ignore[arg-type]
    _, after = load_and_check(root)
    mine = errors([p for p in after if p.source.path.startswith(f"policy/{args.policy_id}/")])
    if not mine:
        _report(root, source, target, version, draft, reading, earlier, fidelity, args, owner,
                title)
        return OK
    _unwrite(written)
    _print_links(reading)
    for problem in mine:
        _print(problem, file=sys.stderr)
    _print("policykit: nothing written: the draft would not pass check (above) — "
           + ("import again with --base-url https://… (the school's site), or "
              if reading.links else "") + "fix the document and import again", file=sys.stderr)
    return PROBLEMS


def _write(folder: Path, target: Path, text: str, policy_text: str | None) -> list[Path]:
    """Write the draft (and a new policy's policy.yaml); the files and folders made, newest
    first, for _unwrite."""
    made = [p for p in (folder, folder / "versions") if not p.exists()][::-1]
    target.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if policy_text is not None:
        write_new_file(folder / "policy.yaml", policy_text)
        written.append(folder / "policy.yaml")
    write_new_file(target, text)
    return [target, *written, *made]


def _unwrite(written: list[Path]) -> None:
    """Remove what _write made (files, then the folders it made, if left empty)."""
    for path in written:
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        else:
            path.unlink(missing_ok=True)


def _schema_folder(root: Path) -> str:
    """Where the project keeps the schemas its files name ($schema): .policykit/schemas as
    init writes it, or, in policykit's own repository, the generator's."""
    own = "generator/policykit/schemas"
    if not (root / SCHEMA_FOLDER).is_dir() and (root / own).is_dir():
        return own
    return SCHEMA_FOLDER


def _read_or_say(source: Path, base_url: str | None):
    """The document's blocks, or None after saying why it cannot be read."""
    try:
        return _read(source, base_url)
    except Unreadable as error:
        where = f"{source}:{error.line}:{error.column}" if error.line else f"{source}"
        _print(f"policykit: error: {where}: {error.what} — {error.todo}", file=sys.stderr)
        return None
    except UnicodeDecodeError as error:
        why = f"it is not UTF-8 text (byte {error.start}) — save it as UTF-8 and import again"
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        why = f"it cannot be read as a {source.suffix} document ({error}) — open it, save it " \
              "again in that format, and import again"
        if source.suffix.lower() == ".docx" and _starts_with(source, OLE):
            why = ("it is protected by a password, or is an old Word (.doc) file renamed .docx "
                   "— open it in Word, remove the password (File > Info > Protect Document > "
                   "Encrypt with Password, clear it), save it as a Word Document (.docx) and "
                   "import again")
    _print(f"policykit: error: {source}: {why}", file=sys.stderr)
    return None


def _title_of(source: Path) -> str:
    """A title from a document's file name: "anti_bullying-policy.docx" -> "Anti bullying
    policy"."""
    words = " ".join(re.sub(r"[_]+|(?<=\w)-(?=\w)(?!.* )", " ", source.stem).split())
    return (words[:1].upper() + words[1:]) if words else source.name


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as stream:
        return stream.read(len(magic)) == magic


def _read(source: Path, base_url: str | None):
    if source.suffix.lower() == ".txt":
        return read_text(source.read_text("utf-8-sig"))

    html, messages = source_html(source)
    try:
        reading = read_html(html, base_url)
    except Unreadable as error:
        if source.suffix.lower() not in (".html", ".htm"):
            error.line = error.column = 0  # a line of the HTML made from it: not the user's
        raise
    reading.notes[:0] = messages
    return reading


def _earlier(policy: Policy) -> importer_ids.Earlier:
    """The newest version of policy, whose ids the import keeps."""
    newest = policy.versions[-1]
    clauses = [(c.id, c.text, {"kind": c.kind, "kind_guessed": c.kind_guessed,
                               **({"refs": [r.text for r in c.refs]} if c.refs else {}),
                               **({"quiz_exempt": c.quiz_exempt} if c.quiz_exempt else {})})
               for c in newest.clauses()]
    homes = {c.id: s.id for s in newest.all_sections for top in s.clauses for c in top.walk()}
    parents = {child.id: c.id for c in newest.clauses() for child in c.clauses}
    return importer_ids.Earlier([(s.id, s.title) for s in newest.all_sections], clauses, homes,
                                parents)


def _parse(text: str, shown_as: str, policy_id: str):
    """The version the import wrote, read back as check will read it (a bug of ours if not)."""
    document, problems = parse_document(text, shown_as)
    problems += validate(document, "version") if document else []
    if problems:
        raise AssertionError("policykit import wrote a file it cannot read: " +
                             "; ".join(map(str, problems)))
    return build_version(document, policy_id)  # type: ignore[arg-type]  # no problems: a document


def _print_lost(source: Path, fidelity) -> None:
    lost = len(fidelity.lost)
    _print(f"policykit: error: {source}: {counted(lost, 'sentence')} of the document "
           f"{'is' if lost == 1 else 'are'} not in the draft:", file=sys.stderr)
    for sentence in fidelity.lost[:SHOWN_LOST]:
        _print(f"  - {sentence}", file=sys.stderr)
    if len(fidelity.lost) > SHOWN_LOST:
        _print(f"  … and {len(fidelity.lost) - SHOWN_LOST} more", file=sys.stderr)


def _print_links(reading) -> None:
    if reading.links:
        _print("links relative to the school's website, kept as written: check refuses them "
               "until they are full addresses (import again with --base-url https://…, or edit "
               "them):")
        for link in dict.fromkeys(reading.links):
            _print(f"  {link}")


def _report(root, source, target, version, draft, reading, earlier, fidelity, args, owner,
            title):
    clauses = list(version.clauses())
    nested = len(version.all_sections) - len(version.sections)
    _print(f"imported {source.name} into {target.relative_to(root)} (draft): "
          f"{len(version.all_sections)} sections ({nested} nested), {len(clauses)} clauses")
    if not earlier:
        _print(f"  policy/{args.policy_id}/policy.yaml: title {title!r}, owner {owner!r}")
    if earlier:
        kept = sum(1 for c in clauses if c.id in earlier.ids)
        _print(f"  ids kept from the earlier version: {kept}; new clauses: {len(clauses) - kept}")
    guessed = [c for c in clauses if c.kind_guessed]
    if guessed:
        kinds = Counter(c.kind for c in guessed)
        _print(f"kinds guessed from the wording ({len(guessed)}: "
              + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
              + "; confirm each in the file, then remove its 'kind_guessed: true'; "
              "approve refuses the draft until then):")
        listed = guessed if args.verbose else guessed[:SHOWN_GUESSES]
        for clause in listed:
            _print(f"  {clause.number} {clause.id}: {clause.kind}")
        if len(guessed) > len(listed):
            _print(f"  … and {len(guessed) - len(listed)} more (--verbose lists every one; so "
                   "does policykit check --verbose)")
    for what, count in sorted(reading.typography.items()):
        _print(f"typography: {what}: {count}")
    _print_links(reading)
    for note in [*reading.notes, *draft.notes]:
        _print(f"note: {note}")
    extra = f"; {counted(len(fidelity.added), 'sentence')} added" if fidelity.added else ""
    _print(f"verified: all {fidelity.checked} sentences of {source.name} are in the draft{extra}")
    for sentence in fidelity.added:
        _print(f"  + {sentence}")


def _print_supplied(fidelity) -> None:
    for sentence in fidelity.supplied:
        _print(f"= {sentence} (a title the document does not have: the policy's title, or the "
               "section title import gives the text before the first heading)")


def _verify(root: Path, args: argparse.Namespace) -> int:
    source = _source(args.source)
    if isinstance(source, str):
        return _usage(source)
    project, problems = load_and_check(root)
    policy = project.policy(args.policy)
    if policy is None:
        return _usage(f"no policy '{args.policy}' in policy/")
    version = policy.version(args.version)
    if version is None:
        known = ", ".join(v.version for v in policy.versions)
        return _usage(f"{args.policy} has no version '{args.version}' (it has: {known})")

    if _read_or_say(source, None) is None:
        return PROBLEMS
    try:
        fidelity = verify(policy, version, source,
                          project.organisation.name if project.organisation else None)
    except Unreadable as error:  # the version's text: error.what names the clause's place
        _print(f"policykit: error: {error.what} — {error.todo}", file=sys.stderr)
        return PROBLEMS
    for sentence in fidelity.lost:
        _print(f"- {sentence}")
    for sentence in fidelity.added:
        _print(f"+ {sentence}")
    _print_supplied(fidelity)
    _print(f"{args.policy} {args.version} against {source.name}: {fidelity.checked} sentences "
          f"checked, {len(fidelity.lost)} missing from the version, {len(fidelity.added)} "
          "not in the document")
    return OK if fidelity.word_for_word else PROBLEMS


SHOWN_GUESSES = 5


def unconfirmed_kinds(version) -> bool:
    """Whether a version still has kinds that policykit import guessed, after saying which
    and how to confirm them (approve refuses such a version)."""
    guessed = [c for c in version.clauses() if c.kind_guessed]
    if not guessed:
        return False
    path = guessed[0].source.path
    _print(f"policykit: error: {path}: {counted(len(guessed), 'clause kind')} "
           f"{'was' if len(guessed) == 1 else 'were'} guessed by policykit import and not yet "
           "confirmed, so the version cannot be approved:", file=sys.stderr)
    for clause in guessed[:SHOWN_GUESSES]:
        _print(f"  {clause.source}: clause '{clause.id}': kind '{clause.kind}'", file=sys.stderr)
    if len(guessed) > SHOWN_GUESSES:
        _print(f"  … and {len(guessed) - SHOWN_GUESSES} more (policykit check lists them all)",
              file=sys.stderr)
    _print("  read each clause, correct its 'kind' if it is wrong, then delete its "
          "'kind_guessed: true' line; approve again when none is left", file=sys.stderr)
    return True


SHOWN_TEXT = 90


def _kinds(root: Path, args: argparse.Namespace) -> int:
    """policykit kinds: list a version's guessed kinds with their words; --confirm them."""
    project, problems = load_and_check(root)
    policy = project.policy(args.policy)
    if policy is None:
        known = ", ".join(sorted(p.id for p in project.policies))
        return _usage(f"no policy '{shown(args.policy)}' in policy/ (there are: {known})")
    version = policy.version(args.version) if args.version else (
        policy.versions[-1] if policy.versions else None)
    if version is None:
        unread = errors([p for p in problems
                         if p.source.path.startswith(f"policy/{policy.id}/versions/")])
        if unread:  # the version's file is there, but has errors: say them, not "no version"
            for problem in unread:
                _print(problem, file=sys.stderr)
            _print(f"policykit: error: {policy.id}'s version files have errors (above): fix "
                   "them, then run policykit kinds again", file=sys.stderr)
            return PROBLEMS
        known = ", ".join(v.version for v in policy.versions)
        return _usage(f"{args.policy} has no version '{shown(args.version)}' (it has: {known})")
    path = version.source.path
    guessed = [c for c in version.clauses() if c.kind_guessed]
    if args.confirm is None or not guessed:
        return _list_guesses(args.policy, version, guessed)
    named = set(args.confirm) or None
    unknown = sorted((named or set()) - {c.id for c in guessed})
    if unknown:
        ids = [c.id for c in guessed]
        return _usage(f"{path}: no guessed kind for clause '{shown(unknown[0])}' — "
                      + did_you_mean(unknown[0], ids, "policykit kinds "
                                     f"{args.policy} {version.version} lists them"))
    if version.status != "draft":
        return _usage(f"{path}: {args.policy} {version.version} is {version.status}, and "
                      "its file is locked: start a draft (policykit new-version) to change it")
    mine = errors([p for p in problems if p.source.path == path])
    if mine:
        for problem in mine:
            _print(problem, file=sys.stderr)
        _print(f"policykit: error: {path} has errors (above): fix them, then confirm",
               file=sys.stderr)
        return PROBLEMS

    file = root / path
    raw = file.read_bytes().decode("utf-8")
    newline = "\r\n" if "\r\n" in raw else "\n"
    try:
        text, confirmed = importer_yaml.confirmed_kinds(raw.replace("\r\n", "\n"), named)
    except EditError as error:
        _print(f"policykit: error: {path}: cannot confirm the kinds: {error}; nothing was "
               "written", file=sys.stderr)
        return PROBLEMS
    file.write_bytes(text.replace("\n", newline).encode("utf-8"))
    kinds = {c.id: c.kind for c in guessed}
    _print(f"{path}: {counted(len(confirmed), 'kind')} confirmed: "
           + ", ".join(f"{cid} ({kinds.get(cid, '?')})" for cid in confirmed))
    left = len(guessed) - len(confirmed)
    if left:
        _print(f"{left} still guessed (policykit kinds {args.policy} {version.version} lists "
               "them)")
    return OK


def _list_guesses(policy_id: str, version, guessed) -> int:
    path = version.source.path
    if not guessed:
        _print(f"{path}: no guessed kinds: every kind is confirmed")
        return OK
    counts = Counter(c.kind for c in guessed)
    _print(f"{path}: {counted(len(guessed), 'kind')} guessed by policykit import ("
           + ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) + "):")
    for clause in guessed:
        words = re.sub(r"\|(?:\s*:?-+:?\s*\|)+|\|", " ", importer.plain_words(clause.text))
        words = shown(" ".join(words.split()), SHOWN_TEXT)  # a table's cells, without rules
        _print(f"  line {clause.source.line}: {clause.number} {clause.id}: {clause.kind} — "
               f"{words}")
    _print(f"read each; where a kind is wrong, correct 'kind' in {path} (in the site's words "
           "must, must not, should, context, definition, procedure, or by their other names "
           "duty, prohibition, guidance, information); then confirm them all with: policykit "
           f"kinds {policy_id} {version.version} --confirm (or --confirm with the ids of some)")
    return OK
