"""Flask's JSON through orjson. Every API reading answers with its 784 input values, and the
standard library's encoder spent longer writing them than the network spent reading the digit
(0.3 ms against 0.1; `python -m bench.load`)."""

import orjson
from flask import Flask
from flask.json.provider import DefaultJSONProvider

# Flask's own answers pass `separators` (compact output); orjson writes compact JSON anyway.
COMPACT_ONLY = {"separators"}


class OrjsonProvider(DefaultJSONProvider):
    """Sorted keys, UTF-8 text, Flask's fallbacks (dates, decimals, __html__) for other types;
    calls that ask for anything else (indentation, say) keep the standard library's encoder."""

    def dumps(self, obj, **kwargs) -> str:
        if set(kwargs) - COMPACT_ONLY:
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=orjson.OPT_SORT_KEYS).decode()

    def loads(self, s: str | bytes, **kwargs):
        return super().loads(s, **kwargs) if kwargs else orjson.loads(s)


def init_app(app: Flask) -> None:
    app.json = OrjsonProvider(app)
