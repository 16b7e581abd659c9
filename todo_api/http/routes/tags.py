"""The user's tags, with how many of their tasks carry each: what a tag picker offers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from todo_api.http.answers import tags_response
from todo_api.http.caller import CallerTasksDep
from todo_api.http.openapi import errors_doc, headers_doc
from todo_api.http.parameters import IF_NONE_MATCH
from todo_api.http.versions import etag_of_body, tagged
from todo_core.planned_lists import TagCount

router = APIRouter(prefix="/api/{user_id}/tags", tags=["tags"])


@router.get(
    "",
    response_model=list[TagCount],
    responses={
        200: headers_doc("ETag"),
        304: {"description": "Not modified since the ETag in If-None-Match"},
        **errors_doc(401, 403, 413, 429, 503),
    },
    openapi_extra={"parameters": [IF_NONE_MATCH]},
)
async def list_tags(request: Request, tasks: CallerTasksDep) -> Response:
    """Every tag on the user's tasks, once, with how many tasks carry it, ordered by tag
    whatever its case. Tags equal but for case are one, spelled as the least of their
    spellings in code point order (`Work` before `work`); `?tag=` on the task list filters
    by one."""
    response = tags_response(await tasks.tags())
    return tagged(response, etag_of_body(response.body), request)
