"""Holding a reading at the network, for race tests without timing luck: the first reading request
of a drawing is stopped at page.route until the test releases it, so the test can act (say, press
Clear) while that reading is certainly still in flight."""

from urllib.parse import parse_qs

from playwright.sync_api import expect


def drawing_of(request) -> str | None:
    """The `image` field a reading request posts ("" for the empty canvas), None if it has none."""
    images = parse_qs(request.post_data or "", keep_blank_values=True).get("image")
    return images[0] if images else None


def is_blank_reading(response, path: str) -> bool:
    """A response to a reading request for the empty canvas (what Clear sends)."""
    return response.url.endswith(path) and drawing_of(response.request) == ""


class HeldReading:
    """Holds the first POST to `path` that carries a drawing; every other request goes through."""

    def __init__(self, page, path: str):
        self.path = path
        self.routes = []
        page.route(f"**{path}", self.handle)

    def handle(self, route):
        if not self.routes and route.request.method == "POST" and drawing_of(route.request):
            self.routes.append(route)  # held: no answer until release()
        else:
            route.continue_()

    def is_drawing(self, request) -> bool:
        return request.url.endswith(self.path) and bool(drawing_of(request))

    def release(self):
        assert len(self.routes) == 1, "no reading of a drawing was held"
        self.routes[0].continue_()


def clear_while_a_reading_is_held(page, path: str, draw, form: str) -> None:
    """Draw (`draw()`), hold the drawing's first reading to `path`, press the Clear of the form
    `form` (a CSS selector), then let the held reading arrive and wait until Clear's own request
    has been answered and nothing is in flight: what the page shows then is the race's outcome."""
    held = HeldReading(page, path)
    with page.expect_request(held.is_drawing):
        draw()  # the first reading is held; the later ones wait in htmx's queue
    page.locator(f"{form} [data-action=clear]").click()
    expect(page.locator(form)).to_have_attribute("data-drawing-state", "empty")
    with page.expect_response(lambda response: is_blank_reading(response, path)) as cleared:
        held.release()  # the drawing's reading arrives and is swapped in; Clear's request goes after it
    cleared.value.finished()
    page.wait_for_load_state("networkidle")
