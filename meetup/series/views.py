"""The series page: every date of a series with its answers."""

from meetup import policy
from meetup.series import bp
from meetup.series.pages import render_page


@bp.get("/<int:series_id>")
def show(series_id: int):
    return render_page(*policy.load_series(series_id))
