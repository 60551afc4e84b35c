from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "perpetuum.surveys"
    label = "surveys"

    def ready(self) -> None:
        from perpetuum.clients.services import register_merge_hook
        from perpetuum.surveys.services import contact_survey_answers_move

        register_merge_hook(
            "contact",
            lambda other, survivor: contact_survey_answers_move(
                from_contact=other, to_contact=survivor
            ),
        )
