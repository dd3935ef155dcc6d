from webhooks.models import WebhookEndpoint


def endpoint_for(organisation, url="https://hooks.example.com/piana", events=None, **fields):
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        events=events
        or ["booking.confirmed", "booking.amended", "booking.cancelled", "booking.option_expiring"],
        **fields,
    )


SCOPED_MODEL_FACTORIES = {WebhookEndpoint: endpoint_for}
