/**
 * The media distribution's placeholder signing key, used when no `-c mediaPublicKeyFile=` is
 * given so that synth and a first deploy work. Its private half was discarded when it was made:
 * no one can sign URLs it accepts, so media stays unreachable until a real key is configured.
 */
export const PLACEHOLDER_MEDIA_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArbQOrRYs3412ufaOJ9DB
CvpaHhcnSHtxeV3IcA268d63wRqboR61yTUtlkvHh5zYmyNoznjlisId5tBeHVPt
PQsVZMUTp8fiNjNWnH8mmwtzFGTgxquQFNEQgxCPHCkHnZO5KL0RPke4Ydq+BPWr
qI3kMulY/dRs8WzwomCD/8OLsoARLR1DtZz4r7tOfN59lDixCqDoCYkXfcuw4HAA
LUNFjAq0yFGDlk5jaRVzgLuvJZm14LyfS9Lw2ltfVWVeZ/LehG6HX8ketYIPqNuv
lAMKLMQkFOZ5x915KZ/7++S8YNzsAuOgwjov2x3ZmRz/pBDzzAJojO7Q7Z32vCIX
YwIDAQAB
-----END PUBLIC KEY-----`;
