"""A Content Security Policy for the built pages: a second layer under escaping (pure).

Only the site's own scripts run: its script files, and the page's own inline scripts
(Material's, listed by their hashes). Any script that text from YAML might smuggle in,
inline or in an event attribute such as onerror, is refused by the browser. (The print
pages, which run no script at all, carry `script-src 'none'` in their templates.)"""

from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<code>.*?)</script>",
                            re.DOTALL | re.IGNORECASE)
_DATA_TYPE = re.compile(r"""\stype\s*=\s*["']?application/(?:ld\+)?json""", re.IGNORECASE)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)

# Pagefind compiles its WebAssembly ('wasm-unsafe-eval'); styles stay open (Material sets
# inline styles); nothing is fetched from another host.
_POLICY = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; "
           "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
           "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
           "form-action 'self'")


class PolicyError(Exception):
    """The page has no <head> to put the policy in."""


def inline_script_hashes(html: str) -> list[str]:
    """The CSP hash sources of the page's inline scripts (not of its JSON data blocks)."""
    hashes = []
    for script in _INLINE_SCRIPT.finditer(html):
        attrs = script["attrs"]
        if re.search(r"\ssrc\s*=", attrs, re.IGNORECASE) or _DATA_TYPE.search(attrs):
            continue
        digest = hashlib.sha256(script["code"].encode("utf-8")).digest()
        hashes.append(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return sorted(set(hashes))


def policy_for(html: str) -> str:
    """The Content Security Policy of a built page."""
    hashes = inline_script_hashes(html)
    return _POLICY.format(hashes="".join(" " + h for h in hashes))


def add_policy(html: str) -> str:
    """The page with its policy as the first element of <head>, before any script."""
    head = _HEAD.search(html)
    if head is None:
        raise PolicyError("the page has no <head> element for its Content Security Policy")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(html)}">'
    return html[:head.end()] + "\n" + meta + html[head.end():]
