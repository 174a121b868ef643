/**
 * A SAML 2.0 identity provider for tests on 127.0.0.1, standing in for Okta or Entra ID. It
 * takes an AuthnRequest over the HTTP-Redirect binding, and answers as real providers do: a page
 * whose form posts a signed Response (assertion signed with xml-crypto, RSA-SHA256, exclusive
 * canonicalisation) to the request's assertion consumer service, with the RelayState.
 *
 * There is no sign-in page: it signs in whoever `signInAs` names. `misbehave` makes the next
 * answers wrong in one way each (another audience, expired, another signer, ...), to play a
 * provider gone wrong or an attacker.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';

export interface SamlUser {
  nameID: string;
  nameIDFormat?: string;
  email?: string;
  name?: string;
}

export interface Misbehaviour {
  audience?: string;
  issuer?: string;
  /** Seconds from now the assertion stops being valid (negative: already expired). */
  validForSeconds?: number;
  /** Answer to a request other than the one received. */
  inResponseTo?: string;
  /** Sign with a key the service provider was never given. */
  foreignKey?: boolean;
  /** Send the assertion unsigned. */
  unsigned?: boolean;
  /** Change the email after signing (the signature no longer matches). */
  editedEmail?: string;
  /** A status other than Success (the provider did not sign the user in). */
  status?: string;
}

export interface TestSamlIdp {
  /** Where the service provider sends AuthnRequests. */
  entryPoint: string;
  entityId: string;
  /** The certificate the service provider trusts (PEM). */
  cert: string;
  signInAs(user: SamlUser): void;
  misbehave(next: Misbehaviour | undefined): void;
  close(): Promise<void>;
}

/** The form a provider's page posts: where, and the fields. */
export interface SamlPost {
  action: string;
  SAMLResponse: string;
  RelayState: string;
}

const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

async function keyPair() {
  const pems = await generate([{ name: 'commonName', value: 'Test SAML IdP' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 24 * 3600_000),
  } as Parameters<typeof generate>[1]);
  return { key: pems.private, cert: pems.cert };
}

export async function startSamlIdp(): Promise<TestSamlIdp> {
  const [own, foreign] = await Promise.all([keyPair(), keyPair()]);
  let user: SamlUser = { nameID: 'nobody' };
  let misbehaviour: Misbehaviour | undefined;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', entryPoint);
    const request = url.searchParams.get('SAMLRequest');
    if (url.pathname !== '/sso' || !request) {
      res.writeHead(404).end();
      return;
    }
    const xml = inflateRawSync(Buffer.from(request, 'base64')).toString('utf8');
    const authnRequest = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
    const acs = authnRequest?.getAttribute('AssertionConsumerServiceURL') ?? '';
    const post: SamlPost = {
      action: acs,
      SAMLResponse: Buffer.from(response(authnRequest?.getAttribute('ID') ?? '', authnRequest, acs)).toString('base64'),
      RelayState: url.searchParams.get('RelayState') ?? '',
    };
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(post));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const entryPoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sso`;
  const entityId = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`;

  /** The signed Response to one AuthnRequest, as the user and the misbehaviour say. */
  function response(requestId: string, authnRequest: Element | null | undefined, acs: string): string {
    const wrong = misbehaviour ?? {};
    const now = new Date();
    const until = new Date(now.getTime() + (wrong.validForSeconds ?? 300) * 1000);
    const audience =
      wrong.audience ?? authnRequest?.getElementsByTagNameNS('*', 'Issuer')[0]?.textContent?.trim() ?? '';
    const issuer = wrong.issuer ?? entityId;
    const inResponseTo = wrong.inResponseTo ?? requestId;
    const status = wrong.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success';
    const attributes = [
      ['email', user.email],
      ['displayName', user.name],
    ]
      .filter(([, value]) => value !== undefined)
      .map(
        ([name, value]) =>
          `<saml:Attribute Name="${name}"><saml:AttributeValue>${xmlEscape(value as string)}</saml:AttributeValue></saml:Attribute>`,
      )
      .join('');
    const assertion =
      status.endsWith(':Success') &&
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${id()}" Version="2.0" IssueInstant="${now.toISOString()}">` +
        `<saml:Issuer>${xmlEscape(issuer)}</saml:Issuer>` +
        '<saml:Subject>' +
        `<saml:NameID Format="${user.nameIDFormat ?? PERSISTENT}">${xmlEscape(user.nameID)}</saml:NameID>` +
        '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
        `<saml:SubjectConfirmationData InResponseTo="${inResponseTo}" NotOnOrAfter="${until.toISOString()}" Recipient="${xmlEscape(acs)}"/>` +
        '</saml:SubjectConfirmation></saml:Subject>' +
        `<saml:Conditions NotBefore="${new Date(now.getTime() - 5000).toISOString()}" NotOnOrAfter="${until.toISOString()}">` +
        `<saml:AudienceRestriction><saml:Audience>${xmlEscape(audience)}</saml:Audience></saml:AudienceRestriction>` +
        '</saml:Conditions>' +
        `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="_${id()}"><saml:AuthnContext>` +
        '<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>' +
        '</saml:AuthnContext></saml:AuthnStatement>' +
        `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` +
        '</saml:Assertion>';
    let xml =
      '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ' +
      `ID="_${id()}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${xmlEscape(acs)}" InResponseTo="${inResponseTo}">` +
      `<saml:Issuer>${xmlEscape(issuer)}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="${status}"/></samlp:Status>` +
      (assertion || '') +
      '</samlp:Response>';
    if (assertion && !wrong.unsigned) xml = sign(xml, wrong.foreignKey ? foreign : own);
    if (wrong.editedEmail && user.email) xml = xml.replace(xmlEscape(user.email), xmlEscape(wrong.editedEmail));
    return xml;
  }

  return {
    entryPoint,
    entityId,
    cert: own.cert,
    signInAs(next) {
      user = next;
    },
    misbehave(next) {
      misbehaviour = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An enveloped signature over the assertion, placed after its Issuer as the schema orders it. */
function sign(xml: string, keys: { key: string; cert: string }): string {
  const signature = new SignedXml({
    privateKey: keys.key,
    publicCert: keys.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signature.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  signature.computeSignature(xml, {
    location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
  });
  return signature.getSignedXml();
}

/** The provider's answer page: a form that posts itself, as every SAML provider's does. */
function page(post: SamlPost): string {
  return (
    '<!doctype html><html><body onload="document.forms[0].submit()">' +
    `<form method="post" action="${xmlEscape(post.action)}">` +
    `<input type="hidden" name="SAMLResponse" value="${post.SAMLResponse}">` +
    `<input type="hidden" name="RelayState" value="${xmlEscape(post.RelayState)}">` +
    '<noscript><button>Continue</button></noscript></form></body></html>'
  );
}

/** The form's fields out of a provider's answer page (what a browser would post). */
export function formOf(html: string): SamlPost {
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const xmlUnescape = (text: string) =>
    text
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return {
    action: xmlUnescape(/action="([^"]*)"/.exec(html)?.[1] ?? ''),
    SAMLResponse: field('SAMLResponse'),
    RelayState: xmlUnescape(field('RelayState')),
  };
}

const id = () => randomBytes(16).toString('hex');

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
