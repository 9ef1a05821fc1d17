// A real OpenID provider (npm "oidc-provider") on loopback for the WorkmateOS single sign-on tests.
//
// It behaves like Zitadel where WorkmateOS depends on it: authorization code flow with PKCE S256,
// RS256 ID tokens with the key published at /jwks, the project-roles claim
// "urn:zitadel:iam:org:project:roles" ({"<role key>": {"<org id>": "<org domain>"}}) and the
// project-specific "urn:zitadel:iam:org:project:<project id>:roles", the project id in "aud" when the
// scope "urn:zitadel:iam:org:project:id:<project id>:aud" was requested, userinfo, end session.
//
// Start: `node server.js` (PORT=0 picks a free port; PROJECT_ID and ORG_ID optional). The first line
// on stdout is JSON: {"issuer": "http://127.0.0.1:<port>"}.
//
// Test control (loopback only, JSON bodies):
//   POST /__admin/accounts  {"<login>": {"password": "...", "sub": "...", "claims": {...}}}  replaces
//   POST /__admin/tamper    changes the next ID tokens like a misbehaving provider:
//                           {"aud": "x"} {"azp": "x"} {"iss": "x"} {"exp_offset": -600} {"nonce": "x"}
//                           {"alg": "none"} {"key": "unknown"} (a key not in the JWKS)
//                           {"key": "same-kid"} (another key under the published kid)
//   POST /__admin/rotate    publishes a new signing key in /jwks and signs with it from now on
//   POST /__admin/reset     resets tamper, rotation and counters (accounts stay)
//   GET  /__admin/stats     {"jwks": n, "token": n, "userinfo": n, "discovery": n, "end_session": n}
import http from 'node:http';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const HOST = '127.0.0.1';
const PORT = Number(process.env.PORT || 0);
const PROJECT_ID = process.env.PROJECT_ID || '300000000000000001';
const ORG_ID = process.env.ORG_ID || '200000000000000001';
const ROLES_CLAIM = 'urn:zitadel:iam:org:project:roles';
const PROJECT_ROLES_CLAIM = `urn:zitadel:iam:org:project:${PROJECT_ID}:roles`;
const AUD_SCOPE = `urn:zitadel:iam:org:project:id:${PROJECT_ID}:aud`;

// --- keys -----------------------------------------------------------------------------------------
async function newKey(kid) {
  const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const privateJwk = { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, privateJwk, publicJwk };
}

const providerKey = await newKey('workmate-test-key-1');
const state = {
  accounts: {},
  tamper: {},
  signingKey: providerKey, // the key ID tokens end up signed with (changes on rotation)
  published: [providerKey.publicJwk],
  stats: { jwks: 0, token: 0, userinfo: 0, discovery: 0, end_session: 0 },
};

function resetState() {
  state.tamper = {};
  state.signingKey = providerKey;
  state.published = [providerKey.publicJwk];
  state.stats = { jwks: 0, token: 0, userinfo: 0, discovery: 0, end_session: 0 };
}

// --- the provider ---------------------------------------------------------------------------------
const server = http.createServer();
await new Promise((resolve) => server.listen(PORT, HOST, resolve));
const ISSUER = `http://${HOST}:${server.address().port}`;

// The login name is what the form asks for; the account id is the subject ("sub").
function accountFor(sub) {
  const login = Object.keys(state.accounts).find((name) => (state.accounts[name].sub || name) === sub);
  if (login === undefined) return undefined;
  const account = state.accounts[login];
  return {
    accountId: sub,
    async claims() {
      const claims = { sub, ...(account.claims || {}) };
      const roles = claims[ROLES_CLAIM];
      if (roles && !(PROJECT_ROLES_CLAIM in claims)) claims[PROJECT_ROLES_CLAIM] = roles;
      return claims;
    },
  };
}

const configuration = {
  clients: [
    {
      client_id: 'workmate',
      client_secret: 'workmate-test-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://testserver/oidc/callback/'],
      post_logout_redirect_uris: ['http://testserver/accounts/login/'],
    },
    {
      // A public client: PKCE instead of a secret (Zitadel's "auth method none").
      client_id: 'workmate-public',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://testserver/oidc/callback/'],
      post_logout_redirect_uris: ['http://testserver/accounts/login/'],
    },
  ],
  jwks: { keys: [providerKey.privateJwk] },
  pkce: { required: () => true },
  scopes: ['openid', AUD_SCOPE],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale'],
    [ROLES_CLAIM]: [ROLES_CLAIM, PROJECT_ROLES_CLAIM],
    roles: ['realm_access'], // Keycloak-style list of roles, for OIDC_ROLES_CLAIM=realm_access.roles
  },
  // Zitadel's "user info inside ID token" and "user roles inside ID token".
  conformIdTokenClaims: false,
  findAccount: (ctx, id) => accountFor(id),
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // First-party application: no consent screen (as in Zitadel), the grant covers what was asked.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(String(ctx.oidc.params.scope || 'openid'));
    await grant.save();
    return grant;
  },
  cookies: { keys: ['workmate-test-cookie-key'] },
  ttl: { IdToken: 3600, AccessToken: 3600, AuthorizationCode: 60, Session: 3600, Grant: 3600 },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>error</title><h1>${escape(out.error)}</h1><p>${escape(out.error_description || '')}</p>`;
  },
};

const provider = new Provider(ISSUER, configuration);

// Any loopback or test-client host with our callback path is a valid redirect (the Playwright live
// server runs on a random port), like RFC 8252 allows for loopback redirect URIs.
function allowedRedirect(value, path) {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', 'testserver'].includes(url.hostname) && url.pathname === path;
  } catch {
    return false;
  }
}
const { redirectUriAllowed, postLogoutRedirectUriAllowed } = provider.Client.prototype;
provider.Client.prototype.redirectUriAllowed = function (value) {
  return allowedRedirect(value, '/oidc/callback/') || redirectUriAllowed.call(this, value);
};
provider.Client.prototype.postLogoutRedirectUriAllowed = function (value) {
  return allowedRedirect(value, '/accounts/login/') || postLogoutRedirectUriAllowed.call(this, value);
};

// --- ID tokens: Zitadel's project audience, and misbehaviour on request ---------------------------
function b64url(value) {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function rewriteIdToken(idToken, grantedScope) {
  const payload = jose.decodeJwt(idToken);
  const tamper = state.tamper;
  const rewrite = grantedScope.split(' ').includes(AUD_SCOPE) || Object.keys(tamper).length > 0
    || state.signingKey !== providerKey;
  if (!rewrite) return idToken;
  if (grantedScope.split(' ').includes(AUD_SCOPE)) {
    payload.aud = [payload.aud].flat().concat(PROJECT_ID);
    payload.azp = payload.azp || [payload.aud].flat()[0];
  }
  if (tamper.aud !== undefined) {
    payload.aud = tamper.aud;
    delete payload.azp;
  }
  if (tamper.azp !== undefined) payload.azp = tamper.azp;
  if (tamper.iss !== undefined) payload.iss = tamper.iss;
  if (tamper.nonce !== undefined) payload.nonce = tamper.nonce;
  if (tamper.exp_offset !== undefined) {
    const now = Math.floor(Date.now() / 1000);
    payload.exp = now + tamper.exp_offset;
    payload.iat = Math.min(payload.iat, payload.exp - 3600);
  }
  if (tamper.alg === 'none') {
    return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
  }
  let key = state.signingKey;
  if (tamper.key === 'unknown') key = await newKey('rogue-key');
  if (tamper.key === 'same-kid') key = { ...(await newKey(providerKey.kid)) };
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
    .sign(key.privateKey);
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.method === 'POST') {
    state.stats.token += 1;
    if (ctx.status === 200 && ctx.body && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: await rewriteIdToken(ctx.body.id_token, String(ctx.body.scope || '')) };
    }
  } else if (ctx.path === '/me') {
    state.stats.userinfo += 1;
  } else if (ctx.path === '/.well-known/openid-configuration') {
    state.stats.discovery += 1;
  } else if (ctx.path.startsWith('/session/end')) {
    state.stats.end_session += 1;
  }
});

// --- the sign-in page (a minimal interaction with a password check) ---------------------------------
function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function loginPage(uid, error = '') {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test provider sign-in</title></head>
<body>
<h1>Sign in at the test provider</h1>
${error ? `<p role="alert" id="error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
  <label>Login name <input name="login" id="login" required autofocus></label>
  <label>Password <input type="password" name="password" id="password" required></label>
  <button type="submit" id="submit">Sign in</button>
</form>
</body></html>`;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(type === 'application/json' ? JSON.stringify(body) : body);
}

async function interaction(req, res, url) {
  const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return send(res, 404, { error: 'not found' });
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== match[1]) return send(res, 400, { error: 'interaction mismatch' });
  if (details.prompt.name !== 'login') {
    // Consent is never needed (loadExistingGrant); finish whatever else is asked.
    return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
  }
  if (req.method === 'GET') return send(res, 200, loginPage(details.uid), 'text/html; charset=utf-8');
  if (req.method !== 'POST' || !match[2]) return send(res, 405, { error: 'method not allowed' });
  const form = new URLSearchParams(await readBody(req));
  const login = form.get('login') || '';
  const account = state.accounts[login];
  if (!account || account.password !== form.get('password')) {
    return send(res, 200, loginPage(details.uid, 'Wrong login name or password.'), 'text/html; charset=utf-8');
  }
  return provider.interactionFinished(req, res, { login: { accountId: account.sub || login } }, { mergeWithLastSubmission: false });
}

async function admin(req, res, url) {
  if (url.pathname === '/__admin/stats' && req.method === 'GET') return send(res, 200, state.stats);
  if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
  const raw = await readBody(req);
  const body = raw ? JSON.parse(raw) : {};
  switch (url.pathname) {
    case '/__admin/accounts':
      state.accounts = body;
      return send(res, 200, { accounts: Object.keys(body) });
    case '/__admin/tamper':
      state.tamper = body;
      return send(res, 200, { tamper: body });
    case '/__admin/rotate': {
      const key = await newKey(`workmate-test-key-${state.published.length + 1}`);
      state.signingKey = key;
      state.published = [...state.published, key.publicJwk];
      return send(res, 200, { kid: key.kid });
    }
    case '/__admin/reset':
      resetState();
      return send(res, 200, { reset: true });
    default:
      return send(res, 404, { error: 'not found' });
  }
}

const providerCallback = provider.callback();
server.on('request', async (req, res) => {
  const url = new URL(req.url, ISSUER);
  try {
    if (url.pathname.startsWith('/__admin/')) return await admin(req, res, url);
    if (url.pathname.startsWith('/interaction/')) return await interaction(req, res, url);
    if (url.pathname === '/jwks' && req.method === 'GET') {
      state.stats.jwks += 1;
      return send(res, 200, { keys: state.published });
    }
    return providerCallback(req, res);
  } catch (error) {
    console.error(error);
    if (!res.headersSent) send(res, 500, { error: String(error && error.message) });
    return undefined;
  }
});

process.stdout.write(`${JSON.stringify({ issuer: ISSUER, project_id: PROJECT_ID, org_id: ORG_ID })}\n`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
