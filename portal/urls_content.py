from django.urls import path

from .views import content

app_name = "portal"

urlpatterns = [
    path("comuni/", content.comune_list, name="comuni"),
    path("comuni/<slug:slug>/", content.comune_detail, name="comune"),
    path("themes/<slug:slug>/", content.theme_detail, name="theme"),
    path("stories/", content.story_list, name="stories"),
    path("stories/<slug:slug>/", content.story_detail, name="story"),
    path("events/", content.event_list, name="events"),
    path("events/calendar.ics", content.events_ical, name="events_ical"),
    path("events/<slug:slug>/", content.event_detail, name="event"),
    path("events/<slug:slug>/calendar.ics", content.event_ical, name="event_ical"),
    path("itineraries/", content.itinerary_list, name="itineraries"),
    path("itineraries/<slug:slug>/", content.itinerary_detail, name="itinerary"),
]
