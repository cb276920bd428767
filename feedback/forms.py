import re

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from .models import COMMENT_MAX_LENGTH
from .protection import TokenExpired, TokenProblem, check_token

# Anything an HTML parser would take for a tag or a comment.
HTML_TAG = re.compile(r"<\s*[a-zA-Z/!?]")
WEB_ADDRESS = re.compile(r"https?://|www\.", re.IGNORECASE)


class CommentField(forms.CharField):
    def to_python(self, value):
        # Browsers send each line break as two characters; the box counted one.
        return super().to_python(value).replace("\r\n", "\n")


class FeedbackForm(forms.Form):
    """A reader's yes or no and optional comment. The same form for everyone, so the page stays cacheable."""

    helpful = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages={
            "required": "Choose yes or no to say whether this page was helpful.",
            "invalid_choice": "Choose yes or no to say whether this page was helpful.",
        },
    )
    comment = CommentField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        error_messages={
            "max_length": f"Your comment is too long: keep it to {COMMENT_MAX_LENGTH:,} characters or fewer "
            "(it has %(show_value)d).",
        },
    )
    # A box people never see: software that fills in every box fills this one too.
    website = forms.CharField(required=False)
    token = forms.CharField(required=False)

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["comment"].validators = [
            validator
            for validator in self.fields["comment"].validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]

    @property
    def is_spam(self):
        """Whether software, not a person, filled the form in: nothing it sends is kept."""
        return bool(self.data.get("website"))

    def clean_comment(self):
        comment = self.cleaned_data["comment"]
        if "\x00" in comment:
            raise forms.ValidationError(
                "Your comment holds a character that cannot be stored (a NUL character). Please type it again."
            )
        if HTML_TAG.search(comment):
            raise forms.ValidationError(
                "Please write your comment as plain text, without HTML tags such as <b> or <a>."
            )
        if WEB_ADDRESS.search(comment):
            raise forms.ValidationError(
                "Please leave out web addresses: we do not open links sent to us. Describe what you mean in words."
            )
        return comment

    def clean_token(self):
        try:
            check_token(self.cleaned_data["token"], self.action)
        except TokenExpired:
            raise forms.ValidationError(
                "This form was open for a long time, so it was not sent. Please check your answer and send it again."
            ) from None
        except TokenProblem:
            raise forms.ValidationError(
                "This form could not be checked, so it was not sent. Please send it again from this page."
            ) from None
        return ""

    def error_list(self):
        """(field id, message) for the error summary, in the order the form shows the fields."""
        anchors = {"helpful": "feedback-helpful-yes", "comment": "feedback-comment", "token": "feedback-submit"}
        return [
            (anchors.get(name, "feedback-submit"), error) for name, errors in self.errors.items() for error in errors
        ]
