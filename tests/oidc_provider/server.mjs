// ProConnect-like OpenID Provider for end-to-end tests (never for production).
//
// Usage:  node server.mjs CONFIG.json [PORT]
//    or:  OIDC_PROVIDER_CONFIG=CONFIG.json OIDC_PROVIDER_PORT=PORT node server.mjs
// Port precedence: argv > env > config.port > 0 (0 = let the OS pick a free port).
// Once listening, prints exactly one line on stdout: `READY http://127.0.0.1:PORT`.
//
// CONFIG.json:
//   {
//     "port": 0,
//     "clients": [{ "client_id": "...", "client_secret": "...",
//                   "redirect_uris": ["..."], "post_logout_redirect_uris": ["..."] }],
//     "users": { "<accountId>": { "password": "...", "email": "...", "given_name": "...",
//                                 "usual_name": "...", "uid": "...", "siret": "...",
//                                 "idp_id": "..." } }
//   }
// Each client entry is passed to oidc-provider as-is (any client metadata is allowed and
// overrides `clientDefaults` below). Each user's entry minus `password` is the set of
// claims; `sub` is the accountId. The login form accepts the accountId or the email.
//
// Why each non-default setting exists:
// - issuer `http://127.0.0.1:PORT` (no /api/v2 prefix, unlike ProConnect): keeps the
//   server a plain root mount; discovery is at `<issuer>/.well-known/openid-configuration`.
// - routes: ProConnect's endpoint names (/authorize, /token, /userinfo, /session/end,
//   /jwks) instead of oidc-provider's (/auth, /me), so hard-coded paths match.
// - jwks / cookies.keys: generated at startup (RSA-2048 for RS256), nothing committed;
//   the kid is random too, so a client's JWKS cache keyed by kid never serves the key
//   of an earlier provider process.
// - cookies: nothing to change for plain HTTP. oidc-provider only marks cookies `secure`
//   when the request itself is secure, and the default `sameSite: lax` survives the
//   top-level redirects of the flow.
// - scopes + claims: ProConnect exposes each claim as a scope of the same name.
// - acrValues: ProConnect's values. The login handler below puts the first supported
//   value of `acr_values` (default 'eidas1') into the session, and oidc-provider copies
//   the session acr into the id_token. An SSO session keeps the acr of its login: asking
//   for another acr later does NOT force a new login (ProConnect behaviour is not
//   reproduced there).
// - extraParams state/nonce: ProConnect refuses authorization requests without them;
//   the error is redirected to the client (error=invalid_request).
// - responseTypes ['code']: ProConnect only does the authorization code flow.
// - clientAuthMethods: client_secret_basic and client_secret_post, which oidc-provider
//   treats as interchangeable for a client registered with either.
// - clientDefaults.userinfo_signed_response_alg RS256 (needs features.jwtUserinfo):
//   ProConnect always answers userinfo with a signed JWT (`application/jwt`).
// - pkce.required false: confidential clients may skip PKCE (still accepted if sent).
// - features.devInteractions off: replaced by the tiny login page in this file
//   (GET /interaction/:uid, POST /interaction/:uid/login, inputs `login`, `password`).
// - loadExistingGrant: consent is automatic, every requested scope/claim is granted,
//   so no consent page ever shows up.
// - features.claimsParameter on: ProConnect accepts the `claims` parameter (e.g. amr).
// - features.rpInitiatedLogout.logoutSource: the confirmation page is a form whose
//   hidden inputs already say "yes" (xsrf + logout=yes) and that submits itself with an
//   inline script. A browser goes straight through; a plain HTTP client POSTs the
//   form's hidden inputs to its action, then gets a 303 to post_logout_redirect_uri
//   (with `state`). With no session, oidc-provider renders the same kind of
//   self-submitting form itself, so the client does the same thing either way.
// - ttl: fixed values, which also silences the "you SHOULD change" notices.
// Left at their defaults on purpose: the id_token carries sub, acr, nonce, aud, iss, iat,
// exp only (scope claims go to userinfo, `conformIdTokenClaims`); storage is in memory.
// Expected stderr noise: "Unsupported runtime" (oidc-provider 9 wants Node 22, works on
// 20) and the in-memory adapter warning.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider, { errors } from 'oidc-provider';

const configPath = process.argv[2] || process.env.OIDC_PROVIDER_CONFIG;
if (!configPath) {
  console.error('usage: node server.mjs CONFIG.json [PORT]');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const port = Number(process.argv[3] ?? process.env.OIDC_PROVIDER_PORT ?? config.port ?? 0);
const users = config.users || {};

const PROCONNECT_CLAIMS = [
  'given_name', 'usual_name', 'email', 'uid', 'siret', 'siren', 'idp_id', 'idp_acr',
  'organizational_unit', 'belonging_population', 'phone', 'chorusdt',
];
const ACR_VALUES = ['eidas1', 'https://proconnect.gouv.fr/assurance/self-asserted'];

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function findUser(login) {
  const wanted = String(login || '').trim().toLowerCase();
  for (const [accountId, user] of Object.entries(users)) {
    if (accountId.toLowerCase() === wanted || String(user.email || '').toLowerCase() === wanted) {
      return [accountId, user];
    }
  }
  return [undefined, undefined];
}

function required(name) {
  return (ctx, value) => {
    if (!value) throw new errors.InvalidRequest(`${name} is required`);
  };
}

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

function buildProvider(issuer) {
  return new Provider(issuer, {
    clients: config.clients || [],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'RS256',
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    jwks: { keys: [{ ...signingKey, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    routes: {
      authorization: '/authorize',
      token: '/token',
      userinfo: '/userinfo',
      end_session: '/session/end',
      jwks: '/jwks',
    },
    scopes: ['openid', ...PROCONNECT_CLAIMS],
    claims: {
      openid: ['sub'],
      ...Object.fromEntries(PROCONNECT_CLAIMS.map((claim) => [claim, [claim]])),
    },
    acrValues: ACR_VALUES,
    extraParams: { state: required('state'), nonce: required('nonce') },
    pkce: { required: () => false },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          // `form` is `<form id="op.logoutForm" ...><input name="xsrf" .../></form>`.
          ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Déconnexion</title></head>
<body>${form.replace('</form>', '<input type="hidden" name="logout" value="yes"/>'
            + '<button type="submit">Se déconnecter</button></form>')}
<script>document.forms[0].submit();</script></body></html>`;
        },
      },
    },
    async loadExistingGrant(ctx) {
      const { Grant } = ctx.oidc.provider;
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      const grant = (grantId && await Grant.find(grantId))
        || new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
      grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
    async findAccount(ctx, sub) {
      if (!users[sub]) return undefined;
      const { password, ...claims } = users[sub];
      return { accountId: sub, claims: async () => ({ ...claims, sub }) };
    },
    ttl: {
      AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 3600,
      Session: 86400, Grant: 86400,
    },
  });
}

function loginPage(uid, error, login = '') {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Connexion</title></head>
<body><h1>Connexion (fournisseur d'identité de test)</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Identifiant <input type="text" name="login" value="${escape(login)}" autofocus required></label>
<label>Mot de passe <input type="password" name="password" required></label>
<button type="submit">Se connecter</button>
</form></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

// GET /interaction/:uid and POST /interaction/:uid/login; everything else goes to oidc-provider.
async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') {
    // Consent is granted by loadExistingGrant; finishing with no result just resumes.
    return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
  }
  if (req.method === 'GET' && !action) return send(res, 200, loginPage(uid));
  if (req.method !== 'POST' || action !== 'login') return send(res, 405, 'Method Not Allowed');

  const form = await readForm(req);
  const [accountId, user] = findUser(form.get('login'));
  if (!user || String(user.password ?? '') !== form.get('password')) {
    return send(res, 200, loginPage(uid, 'Identifiant ou mot de passe incorrect.', form.get('login') || ''));
  }
  const requested = String(details.params.acr_values || '').split(' ');
  const acr = requested.find((value) => ACR_VALUES.includes(value)) || ACR_VALUES[0];
  return provider.interactionFinished(req, res, {
    login: { accountId, acr, amr: ['pwd'], remember: true },
  }, { mergeWithLastSubmission: false });
}

let provider;
let handle;
const server = createServer(async (req, res) => {
  const match = /^\/interaction\/([^/?]+)(?:\/([^/?]+))?(?:\?.*)?$/.exec(req.url);
  if (!match) return handle(req, res);
  try {
    await interaction(provider, req, res, match[1], match[2]);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) send(res, 400, `<p>${escape(err.message)}</p>`);
  }
});

server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = buildProvider(issuer);
  handle = provider.callback();
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  console.log(`READY ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
