"""Every problem policykit reports has a stable code, shown at the end of its line ("[yaml.syntax]")
and listed here with what it means. A code names one kind of fault, whatever words its message
uses, so that scripts, the documentation and `suppress_warnings` can rely on it: a code is never
renamed or given to another fault once released (a new fault gets a new code).

Two warnings are said by the build as it goes rather than as problems of the input
(cache.unwritable, search.not-made): they carry their code the same way.

Codes are written `family.name`. A warning's code (or its family, e.g. `quiz`) may be silenced
with the plugin option `suppress_warnings` in mkdocs.yml or `--suppress CODE` on the command
line; errors cannot be silenced, because they stop the build.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """A problem code: its name, whether it is an error or a warning, and what it means."""

    name: str
    severity: str  # error | warning | either (as MkDocs rates what it says)
    means: str


def _codes(severity: str, table: str) -> list[Code]:
    """Codes of one severity written as 'name  meaning' lines."""
    found = []
    for line in table.strip().splitlines():
        name, means = line.split(None, 1)
        found.append(Code(name, severity, means.strip()))
    return found


ERRORS = _codes("error", """
file.missing                 a file the project needs is not there
file.unreadable              a file cannot be read (permissions, or the disk)
file.extension               a file in a project folder has a name policykit does not read
file.not-regular             a path is a folder, device or pipe where a file is needed
file.broken-link             a symbolic link points at nothing
file.too-large               a file is larger than policykit reads
file.empty                   a YAML file has nothing in it
file.not-utf8                a file is not written in UTF-8
yaml.syntax                  the YAML cannot be read
yaml.documents               a file holds more than one YAML document
yaml.unclosed-quote          a quoted text is never closed
yaml.unclosed-bracket        a '[' or '{' that is never closed
yaml.character               a character YAML does not allow
yaml.tab-indent              a tab in indentation
yaml.invisible-indent        an invisible character in indentation
yaml.too-many-values         a file expands (through aliases) to too many values
yaml.too-deep                values nested deeper than policykit reads
yaml.tag                     a YAML tag (such as !!python) policykit does not accept
yaml.key-not-text            a key that is not plain text
yaml.merge-key               a YAML merge key (<<)
yaml.duplicate-key           a key written twice in one mapping
yaml.over-indented           a key indented past the key above it (read as more of its value)
text.control-character       a control character in a text
text.line-break              a line break where a text must be one line
text.direction-control       a character that reorders how the text after it is shown
text.invisible-character     an invisible character in a text
text.too-deep                clause text nesting lists or quotes too deep to show
text.blank                   a clause with no text
schema.missing-key           a required key is missing
schema.wrong-type            a value of the wrong type (text, list, mapping, number...)
schema.unknown-key           a key the file's schema does not have
schema.not-shown             a key once accepted that the site shows nowhere
schema.not-one-of            a value outside the allowed choices
schema.not-a-date            a date that is not a real date (YYYY-MM-DD)
schema.invalid               a value that does not match its pattern or format
schema.out-of-range          a number outside its allowed range
schema.empty                 an empty value where text or entries are needed
schema.too-long              a value longer than its limit
schema.too-short             a value shorter than its minimum
schema.duplicate-entry       a list naming the same entry twice
trap.key-in-text             a key written inside a text, so it is read as words
trap.comment-after           words after ' #' that YAML reads as a comment and leaves out
trap.comment-below           a line starting with '#' that YAML reads as a comment
trap.folded-list             a Markdown list in folded text, shown as one line
trap.list-without-blank-line a Markdown list with no blank line before it, shown as one line
project.policy-id            a policy's id differs from its folder's name
project.no-policy-file       a policy folder without policy.yaml
project.no-versions          a policy without any version file
project.version-name         a version's name differs from its file's name
project.quiz-id              a quiz's id differs from its file's name
lock.damaged                 a policy's approved.lock file cannot be read
id.duplicate                 a section or clause id used twice in one version
version.reserved-name        a version name the site uses for another page
ref.unknown-policy           a cross-reference to a policy the project does not have
ref.policy-not-kept          a cross-reference into a linked policy that is not kept in policy/
ref.unknown-target           a cross-reference to a section or clause that does not exist
link.bad                     a link in clause text that points nowhere policykit can serve
linked.unknown               a linked policy that is neither kept nor registered
linked.also-kept             a policy both kept in policy/ and registered in linked.yaml
linked.duplicate             a linked policy registered twice
organisation.unknown-owner   a policy owner that is not a role of the organisation
organisation.unknown-audience an audience the organisation does not name
organisation.duplicate       a role, audience or abbreviation written twice
organisation.abbreviation-clash a role's abbreviation that is also a listed abbreviation
training.reason-unused       training_reason given though the policy still needs training
approval.on-draft            a draft with approval details
approval.missing             an approved version whose file is gone
approval.unloadable          an approved version whose file no longer loads
approval.status-changed      an approved version whose status was changed
approval.changed             an approved version edited after its approval
approval.not-locked          an approved version with no lock entry (policykit approve records it)
removed.still-present        a clause listed as removed that is still in the version
quiz.reserved-id             a quiz id the site uses for another page
quiz.unknown-policy          a quiz on a policy not kept in policy/
quiz.draw-too-large          a quiz drawing more questions than its bank has
quiz.always-exceeds-draw     more always-asked questions than a quiz draws
quiz.sections-overfull       always-asked questions and section quotas that cannot fit the draw
quiz.duplicate-question      a question id used twice in one quiz
quiz.unknown-clause          a question covering a clause the policy does not have
quiz.unknown-section         a section_draw naming a section that does not exist
quiz.unknown-critical-clause critical_clauses naming a clause that does not exist
quiz.critical-clause-uncovered a critical clause no question of the quiz covers
quiz.critical-never-drawn    a critical question that an attempt can never draw
quiz.no-correct-option       a question without a correct option
quiz.correct-count           a question with the wrong number of correct options for its type
quiz.true-false-options      a true-false question without exactly two options
quiz.same-options            two options of a question that read the same
pathway.duplicate            a pathway listed twice
pathway.unknown-quiz         a pathway naming a quiz that does not exist
coverage.uncovered           a clause of a current version that no quiz question covers
statutory.unknown            a statutory: id that is not in the register
statutory.removed            a statutory: id the project's own register removes
template.error               a page template of the project that fails
template.unreadable          a theme template that cannot be read
config.unreadable            mkdocs.yml cannot be read (a pipe or device, say)
config.yaml-syntax           mkdocs.yml is not valid YAML
build.failed                 a build stopped by a fault in policykit itself
trust.no-schools             a trust without school files
trust.school-id              a school id that cannot name a site folder
trust.duplicate-urn          two schools with one URN
trust.unknown-policy         a school or the model naming a policy the model does not have
trust.unknown-version        a school adopting a model version that does not exist
trust.unknown-place          a tailored clause or addition naming a place no version has
trust.undeclared-value       a %{value} the trust does not declare
trust.unknown-link           a school link naming no policy of linked.yaml
trust.missing-value          a value a clause needs that the school file does not give
trust.not-tailorable         a school tailoring a clause the model does not let it tailor
trust.no-additions           a school adding clauses where the model allows none
trust.unknown-clause         a school tailoring a clause the version does not have
trust.unknown-section        a school adding to a section the version does not have
trust.clause-exists          a school adding a clause whose id the version already has
trust.site-failed            one school's site could not be built
trust.approval-in-school-file an approval written in a school file (policykit trust adopt records it)
trust.changed-since-adoption what a school adopted changed after its adoption was locked
trust.lock-edited            a school's adoption lock edited by hand
trust.adopted-version-changed a model version a school adopted before that has changed or gone
trust.unknown-change-note    a change note for a clause the school neither tailors nor adds
trust.adopted-before-approval a school's adoption dated before the trust approved the model version
trust.unknown-quiz           a school's questions for a quiz the model does not have for the policy
trust.exempt-not-own         a school's quiz_exempt: for a clause it neither tailors nor adds
""")

WARNINGS = _codes("warning", """
text.raw-html                raw HTML in clause text that the site leaves out
kind.guessed                 a clause kind guessed at import and not yet confirmed
removed.not-a-clause         a removed: id that was never a clause of the version before
review.overdue               a policy whose review date has passed
review.change-unexplained    a clause changed since the last approved version with no note
review.removal-unexplained   a clause removed since the last approved version with no reason
quiz.critical-not-always-drawn a critical question that not every attempt draws
quiz.clause-not-current      a question covering a clause no longer in the current version
quiz.cue-longest             the right option is often the longest (a cue learners learn)
quiz.cue-same-answer         every true/false question has the same answer
quiz.cue-first               the right option is often listed first
coverage.draft-uncovered     a clause of a draft that no quiz question covers yet
statutory.unmet              a statutory policy no policy of the project meets
statutory.other-organisation a statutory item that applies to another kind of organisation
statutory.review-too-late    a review date later than the statutory interval allows
trust.clause-untaught        a school's tailored or added clause that no question teaches and none exempts
trust.value-changed-since-adoption a value an adopted text uses, changed since (the site shows the new one)
trust.lock-unknown-policy    a school's adoption records of a policy the model does not have, while it adopts one with none
trust.lock-without-school   a school's adoption lock with no school file beside it (renamed?)
trust.clause-left-untaught   a clause of the trust's whose only questions a school's tailoring leaves out
cache.unwritable             the build cache cannot be written (the build goes on without it)
search.not-made              the search index could not be made (the site is built without it)
""")

# What MkDocs says of mkdocs.yml is an error or a warning as MkDocs itself rates it.
EITHER = _codes("either", """
config.invalid               a setting of mkdocs.yml MkDocs cannot use
config.plugin-missing        a plugin named in mkdocs.yml that is not installed
config.unknown-setting       a setting (or plugin option) MkDocs does not know, so ignored
""")

CODES: dict[str, Code] = {code.name: code for code in ERRORS + WARNINGS + EITHER}
FAMILIES = frozenset(code.name.split(".", 1)[0] for code in WARNINGS + EITHER)  # silenced


def silenced(code: str, suppressed: frozenset[str]) -> bool:
    """Whether a warning with code is silenced by suppressed (codes or families)."""
    return code in suppressed or code.split(".", 1)[0] in suppressed


def suppression_fault(name: str) -> str:
    """Why name cannot be given to suppress_warnings / --suppress ('' when it can)."""
    what, hint = suppression_reason(name)
    return f"{what} — {hint}" if what and hint else what


def suppression_reason(name: str) -> tuple[str, str]:
    """Why name cannot be given to suppress_warnings / --suppress, and what to do (a hint,
    or '' when the reason says it); ('', '') when it can."""
    if name in FAMILIES or (name in CODES and CODES[name].severity != "error"):
        return "", ""
    if name in CODES or any(code.startswith(f"{name}.") for code in CODES):
        return (f"'{name}' names errors, and errors cannot be silenced: they stop the build "
                "until the input is corrected"), ""
    quiet = {*FAMILIES, *(c.name for c in WARNINGS + EITHER)}
    close = difflib.get_close_matches(name, sorted(quiet), n=1, cutoff=0.6)
    hint = (f"did you mean '{close[0]}'?" if close else "the documentation's Reference > "
            "Problem codes lists every code")
    return f"'{name}' is not a warning code", hint
