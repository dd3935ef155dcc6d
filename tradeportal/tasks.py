from celery import shared_task


@shared_task(acks_late=True)
def send_quote_email(quote_id: int, recipients: list[str]) -> int:
    from .emails import quote_email_send
    from .models import Quote

    quote = Quote.objects.filter(pk=quote_id).select_related("organisation").first()
    return quote_email_send(quote=quote, recipients=recipients) if quote else 0
