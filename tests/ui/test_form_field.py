from django import forms
from django.template import engines

from territoires.ui.templatetags.territoires_ui import form_field


class PasswordForm(forms.Form):
    password = forms.CharField(label="Mot de passe", help_text="12 caractères au moins.")


def test_every_error_sits_in_the_one_element_the_widget_describes_itself_with():
    """A password refused for two reasons gives two messages: one id, named by aria-describedby."""
    form = PasswordForm({"password": "x"})
    form.is_valid()
    form.add_error("password", "Trop court.")
    form.add_error("password", "Trop courant.")
    html = form_field(form["password"])
    assert html.count('id="id_password_error"') == 1
    assert 'aria-describedby="id_password_helptext id_password_error"' in html
    start = html.index('id="id_password_error"')
    assert html.index("Trop court.") > start and html.index("Trop courant.") > start
    assert html.count('class="error-text"') == 2


def test_a_valid_field_has_no_error_element():
    form = PasswordForm({"password": "x"})
    assert form.is_valid()
    assert "_error" not in engines["django"].from_string(
        "{% load territoires_ui %}{% form_field form.password %}").render({"form": form})
