"""The ceiling of `bench/load.py`: a bare Litestar app, in a process of its own, that answers
`/ceiling/<case>` with exactly the status, headers and bytes the service gave for that case.

Run by `bench/load.py` (`python bench/ceiling.py --port P --answers FILE`); the answers file
is a JSON list of {"case", "status", "headers", "body_base64"}. Whatever the service spends
beyond this (routing its dependencies, authentication, the database, rendering) is the gap
between its rate and the ceiling's.
"""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import uvicorn
from litestar import HttpMethod, Litestar, Response, route
from litestar.exceptions import NotFoundException

# Set by uvicorn and Litestar on every response; everything else is copied as recorded.
_NOT_COPIED = {"content-length", "date", "server", "content-type"}


def ceiling_app(answers: list[dict[str, object]]) -> Litestar:
    recorded: dict[str, tuple[int, dict[str, str], str, bytes]] = {}
    for answer in answers:
        headers = answer["headers"]
        assert isinstance(headers, dict)
        body = base64.b64decode(str(answer["body_base64"]))
        copied = {k: v for k, v in headers.items() if k.lower() not in _NOT_COPIED}
        media_type = headers.get("content-type", "application/octet-stream")
        status = answer["status"]
        assert isinstance(status, int)
        recorded[str(answer["case"])] = (status, copied, media_type, body)

    @route("/ceiling/{case:str}", http_method=[HttpMethod.GET, HttpMethod.POST])
    async def replay(case: str) -> Response[bytes]:
        if case not in recorded:
            raise NotFoundException()
        status, headers, media_type, body = recorded[case]
        return Response(body, status_code=status, headers=headers, media_type=media_type)

    return Litestar(route_handlers=[replay], debug=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--answers", type=Path, required=True)
    args = parser.parse_args()
    app = ceiling_app(json.loads(args.answers.read_text()))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
