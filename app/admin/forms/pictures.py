"""The picture upload of a reward or a mission (the field name is the service's, so errors land on it)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from app.admin.forms.brand import IMAGE_TYPES


class PictureForm(FlaskForm):
    picture = FileField("Picture (PNG, JPEG or WebP, up to 2 MB)",
                        validators=[FileRequired("Choose an image.")], render_kw=IMAGE_TYPES)
