"""GraphiQL at /graphql (for a browser asking for HTML), served from the platform itself:
its page here, its script and styles bundled by esbuild from npm packages into dist/, so it
works offline and behind strict firewalls (Strawberry's own page loads them from a CDN).

`scripts/lib.sh` (ensure_graphiql) installs the npm packages and builds dist/ when the
sources changed; the built files are not committed.
"""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

HERE = Path(__file__).resolve().parent
PAGE = HERE / "index.html"
FILES = {
    "graphiql.js": (HERE / "dist" / "graphiql.js", "text/javascript"),
    "graphiql.css": (HERE / "dist" / "graphiql.css", "text/css"),
}
NOT_BUILT = "GraphiQL is not built: run scripts/dev (or scripts/test), which builds it."


def page() -> Response:
    if not FILES["graphiql.js"][0].exists():
        return PlainTextResponse(NOT_BUILT, status_code=503)
    return FileResponse(PAGE, media_type="text/html", headers={"Cache-Control": "no-cache"})


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in FILES:
        return PlainTextResponse("Not found", status_code=404)
    path, media_type = FILES[name]
    if not path.exists():
        return PlainTextResponse(NOT_BUILT, status_code=503)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})
