// Issues a LINE channel access token v2.1 the way a Node program does it with
// the official SDK: jose signs the JWT assertion, @line/bot-sdk's
// ChannelAccessTokenClient exchanges it. Prints the bare access token.
//
//   node issue-token.mjs BASE_URL CHANNEL_ID KID PRIVATE_JWK_FILE
//
// Each argument may instead come from the environment: LTM_API_BASE,
// LTM_CHANNEL_ID, LTM_KID, LTM_KEY_FILE. BASE_URL defaults to https://api.line.me.

import { readFile } from "node:fs/promises";
import { channelAccessToken } from "@line/bot-sdk";
import { importJWK, SignJWT } from "jose";

const ASSERTION_LIFETIME = "15m";
const TOKEN_LIFETIME_SECONDS = 30 * 24 * 60 * 60;

const [
  baseURL = process.env.LTM_API_BASE ?? "https://api.line.me",
  channelId = process.env.LTM_CHANNEL_ID,
  kid = process.env.LTM_KID,
  keyFile = process.env.LTM_KEY_FILE,
] = process.argv.slice(2);

if (!channelId || !kid || !keyFile) {
  console.error("usage: node issue-token.mjs BASE_URL CHANNEL_ID KID PRIVATE_JWK_FILE");
  process.exit(2);
}

try {
  const jwk = JSON.parse(await readFile(keyFile, "utf8"));
  const privateKey = await importJWK(jwk, "RS256");
  const assertion = await new SignJWT({ token_exp: TOKEN_LIFETIME_SECONDS })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid })
    .setIssuer(channelId)
    .setSubject(channelId)
    .setAudience("https://api.line.me/")
    .setExpirationTime(ASSERTION_LIFETIME)
    .sign(privateKey);

  const client = new channelAccessToken.ChannelAccessTokenClient({ baseURL });
  const response = await client.issueChannelTokenByJWT(
    "client_credentials",
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    assertion,
  );
  if (!response?.access_token) {
    throw new Error(`no access_token in the answer: ${JSON.stringify(response)}`);
  }
  console.log(response.access_token);
} catch (error) {
  const detail = error.body ? ` ${error.body}` : "";
  console.error(`issue-token: ${error.message}${detail}`);
  process.exit(1);
}
