"""Resumable uploads (`core.uploads`, tus 1.0 core) and their first user, the DCE form.

A file arrives in pieces; after a cut the client asks how much arrived and sends
the rest; a piece sent twice is refused with the true offset, never stored twice.
"""

import base64
import hashlib
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from territoires.core import uploads
from territoires.core.models import Upload
from territoires.marches.models import DceFile
from tests.factories import UserFactory

CREATE = reverse("core:uploads")
TUS = {"Tus-Resumable": "1.0.0"}
DATA = bytes(range(256)) * 400
SIZE = len(DATA)  # 102,400 bytes


def _metadata(filename="CCTP lot 1.pdf", purpose="marches.dce", filetype="application/pdf") -> str:
    def encode(value):
        return base64.b64encode(value.encode()).decode()

    return f"filename {encode(filename)},filetype {encode(filetype)},purpose {encode(purpose)}"


def create(client, length=SIZE, **meta):
    return client.post(CREATE, headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": _metadata(**meta)})


def patch(client, url, offset, piece, content_type="application/offset+octet-stream"):
    return client.generic("PATCH", url, piece, content_type=content_type, headers={**TUS, "Upload-Offset": str(offset)})


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client


def test_a_file_in_pieces_resumes_after_a_cut_and_the_dce_form_claims_it(buyer_client, draft_consultation):
    created = create(buyer_client)
    assert created.status_code == 201 and created["Upload-Offset"] == "0"
    url = created["Location"]
    assert buyer_client.head(url)["Upload-Offset"] == "0"

    assert patch(buyer_client, url, 0, DATA[:40_000])["Upload-Offset"] == "40000"
    # The connection broke while the second piece was sent: the client does not know
    # whether it arrived. It did; sent again, it is refused with the true offset.
    assert patch(buyer_client, url, 40_000, DATA[40_000:80_000]).status_code == 204
    retried = patch(buyer_client, url, 40_000, DATA[40_000:80_000])
    assert retried.status_code == 409 and retried["Upload-Offset"] == "80000"
    assert "Reprise" in retried.content.decode()
    head = buyer_client.head(url)
    assert (head["Upload-Offset"], head["Upload-Length"], head["Cache-Control"]) == ("80000", str(len(DATA)), "no-store")
    assert patch(buyer_client, url, 80_000, DATA[80_000:])["Upload-Offset"] == str(len(DATA))

    upload_id = url.rstrip("/").rsplit("/", 1)[1]
    pieces = Upload.objects.get().chunks
    response = buyer_client.post(reverse("marches:dce_upload", args=[draft_consultation.body.siren,
                                                                     draft_consultation.pk]),
                                 {"dce-uploads": upload_id})
    assert response.status_code == 302
    item = DceFile.objects.get(version__consultation=draft_consultation, name="CCTP lot 1.pdf")
    assert item.stored.sha256 == hashlib.sha256(DATA).hexdigest() and item.stored.size == len(DATA)
    assert item.stored.content_type == "application/pdf"
    # Claimed once: the upload and its pieces are gone.
    assert not Upload.objects.exists() and not any(default_storage.exists(name) for name in pieces)
    assert buyer_client.head(url).status_code == 404


def test_an_unfinished_upload_is_not_added_and_says_why(buyer_client, draft_consultation):
    url = create(buyer_client)["Location"]
    patch(buyer_client, url, 0, DATA[:1000])
    response = buyer_client.post(
        reverse("marches:dce_upload", args=[draft_consultation.body.siren, draft_consultation.pk]),
        {"dce-uploads": url.rstrip("/").rsplit("/", 1)[1]}, follow=True)
    assert "pas encore entièrement envoyé" in response.content.decode()
    assert not DceFile.objects.filter(name="CCTP lot 1.pdf").exists() and Upload.objects.count() == 1


def test_uploads_belong_to_their_owner(buyer_client, buyer_body):
    url = create(buyer_client)["Location"]
    other = Client()
    colleague = UserFactory()
    other.force_login(colleague)
    assert other.head(url).status_code == 404
    assert patch(other, url, 0, DATA[:10]).status_code == 404
    assert Client().head(url).status_code == 403  # signed out
    assert "Connectez-vous" in Client().post(CREATE, headers={"Upload-Length": "10"}).content.decode()


@pytest.mark.parametrize(("meta", "length", "status", "message"), [
    ({"purpose": "inconnu"}, 10, 400, "Type de téléversement inconnu"),
    ({}, 0, 400, "Le fichier est vide"),
    ({"filename": ""}, 10, 400, "n'a pas de nom"),
    ({}, 3 * 1024 * 1024, 413, "taille maximale de 2 Mo"),
])
def test_creation_refusals_are_french(buyer_client, settings, meta, length, status, message):
    settings.MARCHES_DCE_MAX_MB = 2
    response = create(buyer_client, length=length, **meta)
    assert response.status_code == status and message in response.content.decode()
    assert not Upload.objects.exists()


def test_only_buyers_may_upload_dce_files(client):
    client.force_login(UserFactory())
    response = create(client)
    assert response.status_code == 403 and "pas le droit" in response.content.decode()


def test_open_uploads_are_capped_per_person(buyer_client):
    for _ in range(uploads.OPEN_PER_USER):
        assert create(buyer_client).status_code == 201
    refused = create(buyer_client)
    assert refused.status_code == 429 and "Trop de téléversements" in refused.content.decode()


def test_piece_refusals(buyer_client, monkeypatch):
    url = create(buyer_client, length=100)["Location"]
    assert patch(buyer_client, url, 0, b"x" * 10, content_type="application/pdf").status_code == 415
    assert patch(buyer_client, url, 0, b"x" * 101).status_code == 413  # longer than announced
    monkeypatch.setattr(uploads, "CHUNK_MAX_BYTES", 50)
    too_big = patch(buyer_client, url, 0, b"x" * 60)
    assert too_big.status_code == 413 and "Morceau trop grand" in too_big.content.decode()
    ahead = patch(buyer_client, url, 30, b"x" * 10)
    assert ahead.status_code == 409 and ahead["Upload-Offset"] == "0"
    assert buyer_client.head(url)["Upload-Offset"] == "0" and Upload.objects.get().chunks == []


def test_a_piece_cut_short_is_not_kept(buyer_client):
    url = create(buyer_client, length=100)["Location"]

    class Cut:
        """The request body of a connection that dropped after 20 of the 50 bytes announced."""

        def __init__(self):
            self.sent = False

        def read(self, size=-1):
            if self.sent:
                return b""
            self.sent = True
            return b"y" * 20

    upload_id = url.rstrip("/").rsplit("/", 1)[1]
    owner = Upload.objects.get().owner
    with pytest.raises(uploads.UploadError) as refused:
        uploads.upload_append(owner, upload_id, offset=0, stream=Cut(), size=50)
    assert refused.value.status == 400 and refused.value.offset == 0
    assert Upload.objects.get().offset == 0 and Upload.objects.get().chunks == []


def test_termination_and_expiry_remove_the_pieces(buyer_client):
    first = create(buyer_client, length=100)["Location"]
    patch(buyer_client, first, 0, b"a" * 60)
    assert buyer_client.delete(first, headers=TUS).status_code == 204
    assert not Upload.objects.exists()

    second = create(buyer_client, length=100)["Location"]
    patch(buyer_client, second, 0, b"b" * 60)
    pieces = Upload.objects.get().chunks
    assert uploads.uploads_expire(now=timezone.now() + timedelta(hours=23)) == 0
    assert uploads.uploads_expire(now=timezone.now() + timedelta(hours=25)) == 1
    assert not Upload.objects.exists() and not any(default_storage.exists(name) for name in pieces)


def test_pieces_need_the_csrf_token(buyer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    assert create(client).status_code == 403
    assert not Upload.objects.exists()


def test_dce_form_wants_a_file_or_an_upload(buyer_client, draft_consultation):
    response = buyer_client.post(
        reverse("marches:dce_upload", args=[draft_consultation.body.siren, draft_consultation.pk]),
        {"dce-uploads": "pas-un-identifiant"}, follow=True)
    assert "Identifiant de téléversement invalide" in response.content.decode()
    response = buyer_client.post(
        reverse("marches:dce_upload", args=[draft_consultation.body.siren, draft_consultation.pk]), {}, follow=True)
    assert "Choisissez au moins un fichier" in response.content.decode()


def test_the_file_input_carries_what_the_script_needs(buyer_client, draft_consultation):
    page = buyer_client.get(reverse("marches:detail", args=[draft_consultation.body.siren,
                                                             draft_consultation.pk])).content.decode()
    assert 'data-upload-purpose="marches.dce"' in page and f'data-upload-url="{CREATE}"' in page
    assert 'data-upload-field="dce-uploads"' in page and 'data-upload-status="dce-files"' in page
    assert "reprendra là où il s&#x27;est arrêté" in page
