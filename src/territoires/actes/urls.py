from django.urls import path

from territoires.actes.views import correspondence, drafts, follow, signature

app_name = "actes"
urlpatterns = [
    path("", drafts.acte_list, name="list"),
    path("nouveau/", drafts.acte_create, name="create"),
    path("transmettre/", drafts.acte_post_batch, name="post_batch"),
    path("a-traiter/", correspondence.dashboard, name="dashboard"),
    path("mon-certificat/", signature.credential, name="credential"),
    path("<int:acte_id>/", drafts.acte_detail, name="detail"),
    path("<int:acte_id>/modifier/", drafts.acte_edit, name="edit"),
    path("<int:acte_id>/fichiers/", drafts.file_add, name="file_add"),
    path("<int:acte_id>/fichiers/<int:file_id>/", drafts.file_download, name="file_download"),
    path("<int:acte_id>/fichiers/<int:file_id>/retirer/", drafts.file_remove, name="file_remove"),
    path("<int:acte_id>/transmettre/", drafts.acte_post, name="post"),
    path("<int:acte_id>/reprendre/", drafts.acte_redraft, name="redraft"),
    path("<int:acte_id>/renvoyer/", follow.retransmit, name="retransmit"),
    path("<int:acte_id>/publier/", follow.publish, name="publish"),
    path("<int:acte_id>/notifier/", follow.notify, name="notify"),
    path("<int:acte_id>/annuler/", correspondence.cancel, name="cancel"),
    path("<int:acte_id>/simuler-courrier/", correspondence.simulate_letter, name="simulate_letter"),
    path("<int:acte_id>/signer/", signature.sign, name="sign"),
    path("<int:acte_id>/demander-signature/", signature.request_signature, name="request_signature"),
    path("<int:acte_id>/courriers/<int:message_id>/repondre/", correspondence.reply, name="reply"),
    path("<int:acte_id>/courriers/fichiers/<int:file_id>/", correspondence.letter_file, name="letter_file"),
    path("<int:acte_id>/acte-tamponne.pdf", follow.stamped, name="stamped"),
    path("<int:acte_id>/accuse-reception.pdf", follow.receipt, name="receipt"),
]
