// /enroll#CODE -> /enroll.html#CODE. A classic script in the <head> of
// web/enroll/index.html, so it runs before anything is drawn. replace()
// leaves no history entry; the fragment never goes to the server.
location.replace(`/enroll.html${location.hash}`);
