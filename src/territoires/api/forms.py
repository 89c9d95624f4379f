"""Input validation for the token pages; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from territoires.api.selectors import body_members
from territoires.tenancy.models import Body


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.email})" if full_name else obj.email


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("Le logiciel ou l'usage, par exemple « Logiciel financier ». Visible dans la liste et le journal."),
    )
    user = MemberChoiceField(
        label=_("Agent pour le compte duquel le jeton agit"),
        queryset=None,
        empty_label=None,
        help_text=_("Le jeton aura exactement les rôles de cet agent dans l'organisme, et rien ailleurs."),
    )

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = body_members(body=body)
