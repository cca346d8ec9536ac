// Reads an iCalendar document from stdin with Mozilla's ical.js (the reader
// inside Thunderbird) and prints what it understood as JSON.
import ICAL from "ical.js";

// NAME (RFC 7986) and the X-WR-* names are TEXT; ical.js only knows them as "unknown".
for (const name of ["name", "x-wr-calname", "x-wr-caldesc"]) {
  ICAL.design.icalendar.property[name] = { defaultType: "text" };
}

let text = "";
for await (const chunk of process.stdin) text += chunk;

const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    status: component.getFirstPropertyValue("status"),
    transp: component.getFirstPropertyValue("transp"),
    sequence: event.sequence,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    tzid: event.startDate.zone.tzid,
    // The wall-clock time Thunderbird shows, in the event's own zone.
    localStart: event.startDate.toString(),
    localEnd: event.endDate.toString(),
    // An invitation's people: who, and their answer (PARTSTAT).
    attendees: component.getAllProperties("attendee").map((property) => ({
      address: property.getFirstValue(),
      partstat: property.getParameter("partstat"),
    })),
  };
});
console.log(JSON.stringify({
  name: calendar.getFirstPropertyValue("x-wr-calname"),
  description: calendar.getFirstPropertyValue("x-wr-caldesc"),
  method: calendar.getFirstPropertyValue("method"),
  timezones: calendar.getAllSubcomponents("vtimezone").map((z) => z.getFirstPropertyValue("tzid")),
  events,
}));
