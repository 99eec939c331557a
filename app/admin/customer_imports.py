"""Importing customer records from a CSV upload (marketing and admin): upload, map the columns, import.

Upload stores the file under an unguessable token (services/uploads.py) and redirects to
its preview: every column of the header with the field it fills (suggested by name and alias;
any can be ignored), the first rows and what stands in the way. Confirming imports with that
mapping and redirects to the report; the rejected rows download as CSV.
"""

from pathlib import Path

from flask import current_app, redirect, render_template, send_file, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.catalog import curators
from app.admin.forms.customers import MAX_CSV_MB, CustomerImportForm, column_mapping_form
from app.extensions import db
from app.services import clock, customers
from app.services.customers import uploads
from app.services.customers.files import FileRefused


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "imports"


def _owner() -> str:
    # Stable across sign-ins (the session token in get_id() is not): "s" and the staff id.
    return f"s{current_user.id}"


def _upload(token: str) -> uploads.Upload:
    return uploads.find_upload(_folder(), token, owner=_owner(),
                                      now=clock.utcnow())


@bp.route("/customers/import", methods=["GET", "POST"])
@curators
def customers_import():
    form = CustomerImportForm()
    if form.validate_on_submit():
        try:
            upload = uploads.store_upload(
                _folder(), form.file.data.stream, owner=_owner(),
                filename=form.file.data.filename, now=clock.utcnow())
        except FileRefused as refused:
            form.file.errors.append(refused.message)
        else:
            return redirect(url_for("admin.customers_import_preview", token=upload.token))
    return render_template("admin/customer_import.html", form=form, max_mb=MAX_CSV_MB,
                           columns=customers.COLUMNS)


@bp.route("/customers/import/<token>", methods=["GET", "POST"])
@curators
def customers_import_preview(token: str):
    upload = _upload(token)
    if upload.report_path.exists():
        return redirect(url_for("admin.customers_import_report", token=token))
    today = clock.utcnow().date()
    suggested = uploads.preview(upload, mapping=None, today=today)
    form = column_mapping_form(suggested.header, suggested.mapping)
    if not form.validate_on_submit():
        return _preview_page(upload, form, suggested)
    checked = uploads.preview(upload, mapping=form.mapping(), today=today)
    if checked.problems or form.check.data:
        return _preview_page(upload, form, checked)
    summary = uploads.run_import(db.session, upload, mapping=checked.mapping, now=clock.utcnow())
    db.session.commit()
    uploads.finish(upload, summary)
    return redirect(url_for("admin.customers_import_report", token=token))


def _preview_page(upload, form, preview):
    for index, message in preview.problems.items():
        if index is not None:
            form.columns()[index].errors = [message]
    return render_template("admin/customer_import_preview.html", upload=upload, form=form, preview=preview,
                           columns=form.columns())


@bp.get("/customers/import/<token>/report")
@curators
def customers_import_report(token: str):
    upload = _upload(token)
    return render_template("admin/customer_import_report.html", upload=upload,
                           report=uploads.saved_report(upload), shown=uploads.REPORT_ROWS)


@bp.get("/customers/import/<token>/rejected.csv")
@curators
def customers_import_rejections(token: str):
    upload = _upload(token)
    uploads.saved_report(upload)
    stem = Path(upload.filename).stem or "customers"
    return send_file(upload.rejections_path, mimetype="text/csv", as_attachment=True,
                     download_name=f"{stem}-rejected.csv", max_age=0)
