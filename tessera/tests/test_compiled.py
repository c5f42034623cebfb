"""Compiled querysets answer exactly what the ORM answers, or refuse at their first use."""

import pytest
from django.db.models import Exists, OuterRef

from accounts.models import User, UserGroup
from accounts.tests.factories import UserFactory, UserGroupFactory
from tessera.compiled import CompiledQuery, CompiledQueryError


def _member_rows(*, email, group_name):
    groups = UserGroup.objects.filter(members=OuterRef("pk"), name=group_name)
    return (
        User.objects.filter(email=email)
        .annotate(in_group=Exists(groups))
        .order_by()
        .values("pk", "state", "in_group")
    )


@pytest.mark.django_db
def test_values_rows_match_the_orm_for_each_set_of_parameters():
    ada, bob = UserFactory(email="ada@example.com"), UserFactory(email="bob@example.com")
    UserGroupFactory(name="Engineering").members.add(ada)
    compiled = CompiledQuery(User, _member_rows, slots={"email": str, "group_name": str})
    for email in ["ada@example.com", "bob@example.com", "nobody@example.com"]:
        for group_name in ["Engineering", "Sales", "' OR 1=1 --"]:
            expected = _member_rows(email=email, group_name=group_name).first()
            assert compiled.first(email=email, group_name=group_name) == expected
    assert compiled.first(email=bob.email, group_name="Engineering")["in_group"] is False


@pytest.mark.django_db
def test_model_rows_are_instances_equal_to_the_orm_ones():
    user = UserFactory(email="ada@example.com", first_name="Ada", department="R&D")
    compiled = CompiledQuery(User, lambda pk: User.objects.filter(pk=pk), slots={"pk": int})
    loaded = compiled.first(pk=user.pk)
    expected = User.objects.get(pk=user.pk)
    assert isinstance(loaded, User)
    assert loaded._state.adding is False
    for field in User._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert compiled.first(pk=user.pk + 1000) is None


@pytest.mark.django_db
def test_each_run_is_one_query_through_djangos_cursor(django_assert_num_queries):
    user = UserFactory()
    compiled = CompiledQuery(User, lambda pk: User.objects.filter(pk=pk), slots={"pk": int})
    compiled.first(pk=user.pk)  # compiles
    with django_assert_num_queries(1):
        assert compiled.first(pk=user.pk) == user


@pytest.mark.django_db
def test_a_slot_the_compiler_rewrites_is_refused():
    # icontains wraps the value in %…%, so the compiled SQL could not take a new value.
    compiled = CompiledQuery(
        User, lambda email: User.objects.filter(email__icontains=email), slots={"email": str}
    )
    with pytest.raises(CompiledQueryError, match="email"):
        compiled.first(email="ada")


@pytest.mark.django_db
def test_columns_go_through_the_orms_converters():
    # JSON everywhere; booleans and timestamps too on SQLite.
    from sso_apps.models import ApplicationDeletionJob

    job = ApplicationDeletionJob.objects.create(
        application_ids=[3, 1, 2], labels_preview=["x"], total=3
    )

    def rows(pk):
        return ApplicationDeletionJob.objects.filter(pk=pk).values("application_ids", "created_at")

    compiled = CompiledQuery(ApplicationDeletionJob, rows, slots={"pk": int})
    assert compiled.first(pk=job.pk) == rows(job.pk).first()
    assert compiled.first(pk=job.pk)["application_ids"] == [3, 1, 2]
    user = UserFactory()
    users = CompiledQuery(User, lambda pk: User.objects.filter(pk=pk), slots={"pk": int})
    assert users.first(pk=user.pk).is_staff is False
    assert users.first(pk=user.pk).date_joined == User.objects.get(pk=user.pk).date_joined


@pytest.mark.django_db
def test_missing_or_extra_parameters_are_a_type_error():
    compiled = CompiledQuery(User, lambda pk: User.objects.filter(pk=pk), slots={"pk": int})
    with pytest.raises(TypeError):
        compiled.first()
    with pytest.raises(TypeError):
        compiled.first(pk=1, email="x")
