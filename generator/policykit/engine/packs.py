"""Which command makes a project's governors' packs, as its reviews page and calendar say
(I/O: it looks at the project's folder).

`policykit trust build` resolves each school's project into <trust>/.trust/<school-id>/,
beside the trust's trust.yaml (trust/sites.py, which takes the folder's name from here: the
engine is below the trust package and cannot import it). `policykit pack`, run in a trust,
packs the model as written, not a school's text: a school's packs are made by
`policykit trust pack <school-id> <policy>`, for each policy of the trust's model
(policy/<id>/ of the trust); a school's own policies have none."""

from __future__ import annotations

from pathlib import Path

from policykit.site.reviews import Packs

TRUST_WORK_FOLDER = ".trust"  # the resolved projects of a trust's schools: generated, never edited
TRUST_FILE = "trust.yaml"  # as trust/schools.py names it
TRUST_SITE_PREFIX = "_"  # .trust/_trust/ is the trust's own site (the model as written)


def packs_of(root: Path) -> Packs:
    """How the governors' packs of the project at root are made: policykit pack's, unless
    root is a school's project that trust build resolved."""
    trust = root.parent.parent
    if root.parent.name != TRUST_WORK_FOLDER or root.name.startswith(TRUST_SITE_PREFIX) \
            or not (trust / TRUST_FILE).is_file():
        return Packs()
    models = sorted(path.parent.name for path in (trust / "policy").glob("*/policy.yaml"))
    return Packs(root.name, tuple(models))
