"""Factories of the training catalogue."""

from datetime import timedelta

import factory
from django.utils import timezone

from territoires.formations.models import Registration, TrainingSession


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    title = factory.Sequence(lambda n: f"Télétransmission des actes, niveau {n}")
    description = "Découvrir la télétransmission pas à pas."
    service = "actes"
    audience = "agents"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    place = "Maison des communes, 21000 Dijon"
    capacity = 2
    trainer_name = "Claire Dupré"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(TrainingSessionFactory)
    status = "confirmed"
