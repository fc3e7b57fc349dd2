// The conformance suite's app: reports what it received and answers what it is told to, through a control
// server on ECHO_CONTROL_PORT (so the request under test is exactly what the adapter sent).
const http = require('node:http');

let nextResponse;
let lastRequest;

const app = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    lastRequest = { method: req.method, url: req.url, rawHeaders: req.rawHeaders, bodyBase64: body.toString('base64') };
    const reply = nextResponse ?? { status: 200, headers: [['content-type', 'application/json']], body: '{"ok":true}' };
    res.sendDate = false;
    res.writeHead(reply.status, reply.headers.flat());
    res.end(reply.bodyBase64 !== undefined ? Buffer.from(reply.bodyBase64, 'base64') : reply.body);
  });
});
app.listen(Number(process.env.PORT), '127.0.0.1');

const control = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (req.method === 'PUT') {
      nextResponse = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      lastRequest = undefined;
      res.end();
    } else {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(lastRequest ?? null));
    }
  });
});
control.listen(Number(process.env.ECHO_CONTROL_PORT), '127.0.0.1');
