"""`flask import customers FILE`: prints the report and exits non-zero when a row was rejected."""

import click
import pytest
from sqlalchemy import select

from app import cli
from app.extensions import db
from app.models import Advocate
from app.services import customers
from app.services.customers import importer


def run(app, path):
    return app.test_cli_runner().invoke(args=["import", "customers", str(path)])


def test_a_clean_file_imports_and_exits_zero(app, session, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(b"\xef\xbb\xbfemail,name,nps\r\nana@example.com,Ana,10\r\nben@example.com,Ben,9\r\n")
    result = run(app, path)
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged, 0 rejected." in result.output
    assert set(session.scalars(select(Advocate.email))) == {"ana@example.com", "ben@example.com"}


def test_rejected_rows_are_listed_with_their_lines_and_the_exit_code_is_1(app, session, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("email,name,nps\nana@example.com,Ana,10\nbad@example.com,Bad,eleven\n")
    result = run(app, path)
    assert result.exit_code == 1
    assert "line 3: bad@example.com: nps: a whole number from 0 to 10" in result.output
    assert "1 created, 0 updated, 0 unchanged, 1 rejected." in result.output
    session.expire_all()
    assert session.scalars(select(Advocate.email)).all() == ["ana@example.com"]


def test_an_unknown_column_imports_nothing_and_fails(app, session, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("email,name,shoe_size\nana@example.com,Ana,42\n")
    result = run(app, path)
    assert result.exit_code == 1 and "line 1: unknown column 'shoe_size'" in result.output
    assert session.scalars(select(Advocate)).first() is None


def test_a_missing_file_is_a_usage_error(app, tmp_path):
    result = run(app, tmp_path / "nope.csv")
    assert result.exit_code == 2 and "No such file" in result.output


def test_map_and_ignore_options_read_other_column_names(app, session, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text("Customer ID,E-mail,Full name,Shoe size\nCRM-1,ana@example.com,Ana,38\n")
    refused = app.test_cli_runner().invoke(args=["import", "customers", str(path)])
    assert refused.exit_code == 1
    assert "unknown column 'Customer ID', 'E-mail', 'Full name', 'Shoe size'" in refused.output
    options = ["--map", "Customer ID=external_id", "--map", "e-mail=email", "--map", "Full name=name",
               "--ignore", "Shoe size"]
    result = app.test_cli_runner().invoke(args=["import", "customers", str(path), *options])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged, 0 rejected." in result.output
    session.expire_all()
    ana = session.scalars(select(Advocate)).one()
    assert (ana.external_id, ana.email, ana.name) == ("CRM-1", "ana@example.com", "Ana")
    again = app.test_cli_runner().invoke(args=["import", "customers", str(path), *options])
    assert "0 created, 0 updated, 1 unchanged, 0 rejected." in again.output and again.exit_code == 0


@pytest.mark.parametrize("option", ["E-mail", "E-mail=shoe_size", "=email"])
def test_a_map_option_without_a_known_field_is_a_usage_error(app, session, tmp_path, option):
    path = tmp_path / "crm.csv"
    path.write_text("E-mail,name\nana@example.com,Ana\n")
    result = app.test_cli_runner().invoke(args=["import", "customers", str(path), "--map", option])
    assert result.exit_code == 2 and "COLUMN=FIELD" in result.output
    assert session.scalars(select(Advocate)).first() is None


def test_a_progress_bar_by_bytes_is_drawn_on_a_terminal(app, session, tmp_path, monkeypatch):
    path = tmp_path / "customers.csv"
    path.write_text("email,name\n" + "".join(f"c{n}@example.com,C {n}\n" for n in range(3000)))
    monkeypatch.setattr(cli, "_is_terminal", lambda: True)
    monkeypatch.setattr(click._termui_impl, "isatty", lambda stream: True)
    result = app.test_cli_runner().invoke(args=["import", "customers", str(path)])
    assert result.exit_code == 0, result.output
    assert "Importing" in result.output and "100%" in result.output
    assert "3,000 created" in result.output
    quiet = app.test_cli_runner().invoke(args=["import", "customers", str(path), "--no-progress"])
    assert "Importing" not in quiet.output and "3,000 unchanged" in quiet.output


def test_no_bar_when_the_output_is_not_a_terminal(app, session, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("email,name\nana@example.com,Ana\n")
    result = app.test_cli_runner().invoke(args=["import", "customers", str(path)])
    assert "Importing" not in result.output and "%" not in result.output


def test_every_rejection_goes_to_the_rejections_file_and_the_listing_is_capped(app, session, tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr(customers, "KEEP_REJECTED", 3)
    path = tmp_path / "customers.csv"
    path.write_text("email,name,nps\n" + "".join(f"c{n}@example.com,C,eleven\n" for n in range(10)))
    out = tmp_path / "rejected.csv"
    result = app.test_cli_runner().invoke(args=["import", "customers", str(path), "--rejections", str(out)])
    assert result.exit_code == 1
    assert result.output.count("nps: a whole number") == 3 and "… and 7 more rejected rows." in result.output
    written = out.read_text().splitlines()
    assert written[0] == "line,record,reason" and len(written) == 11


def test_a_binary_file_is_refused_with_its_reason(app, session, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = app.test_cli_runner().invoke(args=["import", "customers", str(path)])
    assert result.exit_code == 1 and "NUL byte" in result.output and "binary file" in result.output


def test_a_long_import_commits_as_it_goes(app, session, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 10)
    monkeypatch.setattr(importer, "COMMIT_EVERY", 20)
    commits = []
    real = db.session.commit
    monkeypatch.setattr(db.session, "commit", lambda: (commits.append(1), real())[1])
    path = tmp_path / "customers.csv"
    path.write_text("email,name\n" + "".join(f"c{n}@example.com,C\n" for n in range(100)))
    result = app.test_cli_runner().invoke(args=["import", "customers", str(path)])
    assert result.exit_code == 0 and len(commits) >= 5
