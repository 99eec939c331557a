"""Small field helpers shared by the staff forms."""

from wtforms import SelectChoice, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import Choice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


def enum_choices(enum_cls, blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(m.value, m.value.replace("_", " ").capitalize()) for m in enum_cls]
    return [SelectChoice("", blank), *choices] if blank is not None else choices


class EnumSelectField(SelectField):
    """A select whose data is an enum member (or None for the blank choice)."""

    def __init__(self, label, enum_cls, blank: str | None = None, **kwargs):
        super().__init__(label, choices=enum_choices(enum_cls, blank), **kwargs)
        self.enum_cls = enum_cls

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        self.data = None
        if raw:
            try:
                self.data = self.enum_cls(raw)
            except ValueError:
                raise ValueError(self.gettext("Not a valid choice.")) from None

    def process_data(self, value):
        self.data = self.enum_cls(value) if value else None

    def _value(self):
        return self.data.value if self.data else ""

    def pre_validate(self, form):
        if self.data is not None and self.data.value not in [c.value for c in self.choices]:
            raise ValidationError(self.gettext("Not a valid choice."))

    def iter_choices(self):
        current = self._value()
        for choice in self.choices:
            yield Choice(choice.value, choice.label, choice.value == current, choice.render_kw)


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EmailListField(TextAreaField):
    """Emails separated by commas, spaces or new lines."""

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        self.data = [part.strip() for part in raw.replace(",", " ").split() if part.strip()]

    def _value(self):
        return "\n".join(self.data or [])
