// CloudFront Function (viewer request) of the console's default behaviour: a path that names no
// file (a client-side route such as /calls/call_123) is answered with index.html, so deep links
// and reloads work. /v1/* never reaches this function (its own behaviour goes to the API).
// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls the function named `handler`.
function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}
