"""Reading the metrics a run printed as EMF (Powertools' metrics, enabled by the test)."""

import json


def published(capsys) -> dict[str, list[tuple[str, float]]]:
    """The metrics the runs printed (EMF) since the last read: each name's (unit, value) pairs."""
    found: dict[str, list[tuple[str, float]]] = {}
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            for directive in document["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    value = document[metric["Name"]]
                    values = value if isinstance(value, list) else [value]
                    found.setdefault(metric["Name"], []).extend((metric["Unit"], each) for each in values)
    return found
