import pytest

from accounts.models import UserGroup
from sso_apps.forms.selection import PageSelectionForm


@pytest.mark.django_db
def test_selection_changes_only_the_rows_shown(group_factory):
    a, b, c, d = (group_factory() for _ in range(4))
    form = PageSelectionForm(
        {"shown": [a.pk, b.pk, c.pk], "checked": [b.pk]}, queryset=UserGroup.objects.all()
    )

    assert form.is_valid(), form.errors
    # a was authorised and unticked; d was authorised on another page and stays.
    assert form.selection({a.pk, d.pk}) == {b.pk, d.pk}


@pytest.mark.django_db
def test_empty_page_changes_nothing(group_factory):
    a = group_factory()
    form = PageSelectionForm({}, queryset=UserGroup.objects.all())
    assert form.is_valid()
    assert form.selection({a.pk}) == {a.pk}


@pytest.mark.django_db
def test_ticks_must_be_among_the_rows_shown(group_factory):
    a, b = group_factory(), group_factory()
    form = PageSelectionForm({"shown": [a.pk], "checked": [b.pk]}, queryset=UserGroup.objects.all())
    assert not form.is_valid()


@pytest.mark.django_db
def test_unknown_ids_are_refused(group_factory):
    a = group_factory()
    form = PageSelectionForm({"shown": [a.pk, 999999]}, queryset=UserGroup.objects.all())
    assert not form.is_valid()
    assert "shown" in form.errors
