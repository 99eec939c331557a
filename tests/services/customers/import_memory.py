"""Child process for the 50 MB import test: imports FILE and prints how far its peak RSS grew (JSON).

`python -m tests.services.import_memory URL FOLDER FILE NOW`. The RSS before is taken after the
app is up and has imported a one-row file, so the growth is the big file's own."""

import io
import json
import resource
import sys
from datetime import datetime

from app import create_app
from app.extensions import db
from app.services import customers
from tests.conftest import make_config


def main(url: str, folder: str, path: str, now: datetime) -> None:
    app = create_app(make_config(url, f"{folder}/uploads"))
    with app.app_context():
        customers.import_file(db.session, stream=io.BytesIO(b"email,name\nwarm@example.com,Warm\n"), now=now)
        db.session.commit()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with open(path, "rb") as stream:
            report = customers.import_file(db.session, stream=stream, now=now, commit=db.session.commit)
        db.session.commit()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"grown_mb": grown / 1024, "created": report.created,
                      "rejected": report.rejected_count}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], datetime.fromisoformat(sys.argv[4]))
