"""Checks that warn without refusing: a reviewer should look twice, but the unit may be right."""

FUTURE, OUTSIDE_ROUND = "future", "outside_round"


def activity_warnings(activities, round_, today):
    """[(activity, FUTURE or OUTSIDE_ROUND)] for the activities dated after `today`, or else before
    the round's first day or after its last (ReportingRound.period). Warned, not refused: an activity
    may be planned ahead, or done just before the round began and reported with it."""
    first, last = round_.period
    warnings = []
    for activity in activities:
        if activity.date is None:
            continue
        if activity.date > today:
            warnings.append((activity, FUTURE))
        elif not first <= activity.date <= last:
            warnings.append((activity, OUTSIDE_ROUND))
    return warnings
