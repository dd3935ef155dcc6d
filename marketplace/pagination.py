"""The API's one pagination: limit/offset with a clamped limit and a bounded offset, so that no
query string reaches the database as a number it cannot hold."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_OFFSET = 1_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """`limit` above `max_limit` is clamped to it (as DRF does); `offset` must be a whole number
    from 0 to MAX_OFFSET, otherwise 400 on the field."""

    max_limit = 200
    max_offset = MAX_OFFSET

    def get_offset(self, request):
        raw = request.query_params.get(self.offset_query_param)
        if raw in (None, ""):
            return 0
        if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or int(raw) > self.max_offset:
            raise ValidationError(
                {
                    self.offset_query_param: [
                        _("Give a whole number from 0 to %(n)s.") % {"n": self.max_offset}
                    ]
                },
                code="invalid",
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            schema = parameter["schema"]
            if parameter["name"] == self.limit_query_param:
                schema.update({"minimum": 1, "maximum": self.max_limit})
            elif parameter["name"] == self.offset_query_param:
                schema.update({"minimum": 0, "maximum": self.max_offset})
        return parameters
