"""The dashboard page: plain HTML and CSS here, its script bundled by esbuild into dist/.

`scripts/lib.sh` (ensure_dashboard) installs the npm packages and builds dist/app.js when the
sources changed; the built file is not committed. The page talks to the API like any client.
"""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response

HERE = Path(__file__).resolve().parent
FILES = {
    "": (HERE / "index.html", "text/html"),
    "style.css": (HERE / "style.css", "text/css"),
    "app.js": (HERE / "dist" / "app.js", "text/javascript"),
}


async def page(request: Request) -> Response:
    name = request.path_params.get("name", "")
    if name not in FILES:
        return PlainTextResponse("Not found", status_code=404)
    path, media_type = FILES[name]
    if not path.exists():
        return PlainTextResponse(
            "The dashboard is not built: run scripts/dev (or scripts/test), which builds it.",
            status_code=503,
        )
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})


async def home(_: Request) -> Response:
    return RedirectResponse("/dashboard")
