// The primary micro: an ordinary Node.js HTTP server on $PORT, as Deta Space ran it.
const http = require('node:http');
const fs = require('node:fs');

const port = Number(process.env.PORT || 8080);
const greeting = process.env.GREETING || 'Hello';
// /tmp is the only writable directory, as on Deta Space and Lambda.
const actionLog = '/tmp/hello-actions.log';

function sendJson(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function recordedActions() {
  try {
    return fs
      .readFileSync(actionLog, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');

  // Scheduled actions arrive here, from the scheduler only.
  if (req.method === 'POST' && url.pathname === '/__space/v0/actions') {
    const { event } = JSON.parse(await readBody(req));
    const record = { id: event.id, trigger: event.trigger, at: new Date().toISOString() };
    fs.appendFileSync(actionLog, JSON.stringify(record) + '\n');
    console.log(`action ${event.id} ran at ${record.at}`);
    return sendJson(res, 200, { ok: true, ...record });
  }

  if (url.pathname === '/public/hello') {
    return sendJson(res, 200, { message: greeting, micro: process.env.DETA_SPACE_APP_MICRO_NAME });
  }

  if (url.pathname === '/env') {
    const space = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => name.startsWith('DETA_') || name === 'PORT' || name === 'GREETING'),
    );
    // The data key is a secret: show only its project id.
    if (space.DETA_PROJECT_KEY) space.DETA_PROJECT_KEY = space.DETA_PROJECT_KEY.split('_')[0] + '_***';
    // The internal key lets anyone in like the owner: never show it.
    if (space.DETA_API_KEY) space.DETA_API_KEY = '***';
    return sendJson(res, 200, space);
  }

  if (url.pathname === '/actions') {
    return sendJson(res, 200, { runs: recordedActions() });
  }

  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(
      `<!doctype html><title>hello</title><h1>${greeting}</h1>` +
        `<p>Served by the <code>${process.env.DETA_SPACE_APP_MICRO_NAME}</code> micro of ` +
        `<code>${process.env.DETA_SPACE_APP_HOSTNAME}</code>.</p>` +
        '<ul><li><a href="/public/hello">/public/hello</a> (public)</li><li><a href="/env">/env</a></li>' +
        '<li><a href="/actions">/actions</a></li><li><a href="/api/">/api/</a> (Python)</li>' +
        '<li><a href="/docs/">/docs/</a> (static)</li></ul>',
    );
  }

  sendJson(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
});

server.listen(port, () => console.log(`web listening on ${port}`));
