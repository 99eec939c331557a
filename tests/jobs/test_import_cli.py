"""`flask import customers FILE`: prints the report and exits non-zero when a row was rejected."""

from sqlalchemy import select

from app.models import Advocate


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
