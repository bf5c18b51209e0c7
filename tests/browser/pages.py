"""The one list of pages that the offline and accessibility tests (test_pages.py) visit.

Add a page here, with its query if it needs one, and it is visited in every language and every
variant: PAGES x VARIANTS x LANGUAGES. A variant is query parameters added to every page (for
example presenter mode: VARIANTS = ["", "present=1"]).
"""

from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

PAGES = [
    "/",
    "/inside",
    "/inside?sample=3",
    "/inside?sample=3&view=flow",
    "/inside?sample=3&view=flow&model=book",
    "/learn",
    "/learn/perceptron",
    "/learn/neuron",
    "/learn/activations",
    "/learn/softmax?logits=1010,1000,990",
    "/learn/network",
    "/learn/batches?model=book",
    "/learn/test-set?model=book&true=4&predicted=9",
    "/class",
    "/join",
]
VARIANTS = ["", "present=1"]
LANGUAGES = ["en", "ko"]


def visits() -> list:
    """Every address to visit: each page in each variant and language, e.g. /inside?sample=3&lang=ko."""
    urls = []
    for page in PAGES:
        path, query = urlsplit(page).path, parse_qsl(urlsplit(page).query)
        for variant in VARIANTS:
            for language in LANGUAGES:
                urls.append(f"{path}?{urlencode([*query, *parse_qsl(variant), ('lang', language)])}")
    return urls
