"""The owners' view of the audit trail: a paginated page and its downloads."""

import json

from flask import Blueprint, Response, render_template
from flask_login import login_required

from meetup import policy
from meetup.audit import export, queries
from meetup.policy import Action

bp = Blueprint("audit", __name__, url_prefix="/groups")


@bp.app_template_global()
def may_read_audit(viewer: policy.Viewer | None, group) -> bool:
    """For the organiser tabs: the audit trail is the owners'."""
    return viewer is not None and policy.can(viewer, Action.OWN, group)


@bp.get("/<slug>/manage/audit")
@login_required
def trail(slug: str):
    group, viewer = policy.load_group(slug, Action.OWN)
    entries = queries.page(group)
    return render_template("audit/trail.html", group=group, viewer=viewer, page=entries,
                           rows=queries.rows(group, entries.items))


def _download(body: str, group_slug: str, kind: str, content_type: str) -> Response:
    filename = f"protokoll-{group_slug}.{kind}"
    return Response(body, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/<slug>/manage/audit.csv")
@login_required
def trail_csv(slug: str):
    group, _viewer = policy.load_group(slug, Action.OWN)
    return _download(export.as_csv(queries.all_rows(group)), group.slug, "csv",
                     "text/csv; charset=utf-8")


@bp.get("/<slug>/manage/audit.json")
@login_required
def trail_json(slug: str):
    group, _viewer = policy.load_group(slug, Action.OWN)
    body = json.dumps({"group": group.slug, "entries": export.as_json(queries.all_rows(group))},
                      ensure_ascii=False, indent=1)
    return _download(body, group.slug, "json", "application/json")
