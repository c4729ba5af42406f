"""The quiz by keyboard, in Chromium: every option shows where the focus is (its computed style
and its pixels differ from an unfocused option's), and on a phone no tab stop is hidden (the
closed navigation drawer and search box are out of the tab order) while the menu button still
opens the drawer from the keyboard."""

from __future__ import annotations

QUIZ = "training/social-media-induction/"

# What the focused element is, and whether a sighted user can see it: inside the viewport,
# with some size, and the topmost thing at its centre (not off canvas, clipped or covered).
SEEN = """() => {
  const e = document.activeElement;
  e.scrollIntoView({block: "center", inline: "nearest"});
  const r = e.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const top = (x >= 0 && y >= 0 && x < innerWidth && y < innerHeight) ?
    document.elementFromPoint(x, y) : null;
  const visible = r.width > 0 && r.height > 0 && getComputedStyle(e).visibility === "visible" &&
    !!top && (top === e || e.contains(top) || top.contains(e) ||
              (top.tagName === "LABEL" && top.htmlFor === e.id));
  return {tag: e.tagName, id: e.id, text: (e.textContent || "").trim().slice(0, 40),
          option: !!e.closest(".pk-option"), visible: visible,
          at: [Math.round(x), Math.round(y)], top: top && (top.tagName + "." + top.className)};
}"""


def tab_stops(page, until_option: bool = True, most: int = 60) -> list[dict]:
    """Each element Tab focuses, as SEEN once what focus opens (the search box) has opened and
    what it left has closed."""
    stops = []
    for _ in range(most):
        page.keyboard.press("Tab")
        page.wait_for_timeout(700)  # the search box closes 200 ms after focus leaves, then slides
        stops.append(page.evaluate(SEEN))
        if until_option and stops[-1]["option"]:
            break
    return stops


def test_at_375_px_every_tab_stop_before_the_quiz_can_be_seen(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(site_url + QUIZ)
    stops = tab_stops(page)
    assert stops[-1]["option"], stops  # the quiz is reached
    assert [s for s in stops if not s["visible"]] == [], stops
    assert len(stops) <= 10, stops  # skip link, menu, search box and results, intro links, quiz
    context.close()


def test_at_375_px_the_menu_button_opens_the_drawer_from_the_keyboard(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(site_url + QUIZ)
    stops = tab_stops(page, until_option=False, most=4)
    menu = next(i for i, s in enumerate(stops) if s["tag"] == "LABEL" and s["visible"])
    button = page.locator("[data-pk-drawer]")
    assert page.evaluate("document.activeElement.hasAttribute('data-pk-drawer')") or menu < 3
    button.focus()
    assert button.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    page.wait_for_timeout(400)  # the drawer's slide
    seen = page.evaluate(SEEN)
    assert seen["visible"] and seen["text"] == "Social media: staff induction", seen
    page.keyboard.press("Tab")
    assert page.evaluate(SEEN)["visible"]
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.hasAttribute('data-pk-drawer')")
    page.wait_for_timeout(400)
    assert page.locator(".md-sidebar--primary .md-nav__link[href]").first.evaluate(
        "e => getComputedStyle(e).visibility") == "hidden"
    context.close()


def test_at_desktop_width_the_navigation_is_still_in_the_tab_order(browser, site_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url + QUIZ)
    stops = tab_stops(page)
    assert [s for s in stops if not s["visible"]] == [], stops
    assert "Coverage" in [s["text"] for s in stops]  # the sidebar's links come first
    page.close()


STYLE = """e => { const input = getComputedStyle(e), row = getComputedStyle(e.closest('.pk-option'));
  return {outline: input.outlineStyle + ' ' + input.outlineWidth + ' ' + input.outlineColor,
          row: row.backgroundColor + ' ' + row.boxShadow}; }"""


def test_every_quiz_option_shows_keyboard_focus(browser, site_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site_url + QUIZ)
    stops = tab_stops(page)
    assert stops[-1]["option"]
    inputs = page.locator(".pk-question:not([hidden]) .pk-option input")
    count = inputs.count()
    assert count >= 24
    for i in range(count):
        option = inputs.nth(i)
        option.evaluate("e => e.focus()")  # after a Tab, focus shows as from the keyboard
        assert option.evaluate("e => e.matches(':focus-visible')")
        focused = option.evaluate(STYLE)
        unfocused = inputs.nth((i + 5) % count).evaluate(STYLE)  # another option, not focused
        assert focused["outline"].startswith("solid 3px"), focused
        assert unfocused["outline"].startswith("none"), unfocused
        assert focused["row"] != unfocused["row"], (focused, unfocused)
    # and in pixels: the first option's row, focused and not
    first = page.locator(".pk-question:not([hidden]) .pk-option").first
    first.locator("input").evaluate("e => e.focus()")
    focused_png = first.screenshot()
    page.keyboard.press("Tab")  # on to another question
    page.keyboard.press("Tab")
    assert not first.locator("input").evaluate("e => e === document.activeElement")
    assert first.screenshot() != focused_png
    page.close()
