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
        hashes.append(script_hash(script["code"]))
    return sorted(set(hashes))


def script_hash(code: str) -> str:
    """The CSP hash source that allows an inline script with this code."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


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


# `serve`'s live reload: MkDocs' server puts one inline script before each page's last
# </body> as it serves the page. The plugin marks that place when it builds the page, so that
# the script found between the mark and </body> is known to be the server's, and only its
# hash is added to the page's policy; nothing else the page holds is allowed. MkDocs internal:
# where the server puts the script (its LiveReloadServer._inject_js_into_html);
# tests/test_mkdocs_internals.py::test_the_live_reload_script_goes_before_the_last_body_end
# fails when that changes.
LIVE_RELOAD_MARK = "<!-- policykit: the preview's live-reload script follows -->"
_SERVED_SCRIPT = re.compile(r"<script>(?P<code>.*)</script>", re.DOTALL)
_SCRIPT_SRC = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*?script-src ')


def mark_live_reload(html: str) -> str:
    """The page with the place of the server's live-reload script marked (before the last
    </body>, where MkDocs puts it)."""
    end = html.rfind("</body>")
    return html if end < 0 else html[:end] + LIVE_RELOAD_MARK + html[end:]


def allow_live_reload(html: str) -> str:
    """The page as served, with the script the server put at the mark allowed by its policy
    (by the script's hash); the page unchanged when there is no such script or policy."""
    end = html.rfind("</body>")
    mark = html.rfind(LIVE_RELOAD_MARK, 0, end)
    meta = _SCRIPT_SRC.search(html)
    if end < 0 or mark < 0 or meta is None:
        return html
    script = _SERVED_SCRIPT.fullmatch(html, mark + len(LIVE_RELOAD_MARK), end)
    if script is None:
        return html
    return html[:meta.end()] + script_hash(script["code"]) + " " + html[meta.end():]
