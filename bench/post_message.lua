-- wrk script: POST /v1/messages with a rotating mix of customer-service messages in Danish,
-- Dutch, German and English (some with an e-mail address, a phone number or an IBAN), each
-- from a random customer out of CANDOR_BENCH_CUSTOMERS (default 1000), starting a new
-- conversation. A customer's first message also creates their data key; later ones reuse it.
--
--   wrk -t2 -c32 -d20s -s bench/post_message.lua --latency http://127.0.0.1:18080
--
-- POST /v1/messages needs a token with the `channel` role: set CANDOR_TOKEN to its secret
-- (`candor token create --name bench --role channel`; bench/http.sh does this).
--
-- Any answer other than 201 is counted and reported at the end (wrk also prints
-- "Non-2xx or 3xx responses").

local texts = {
  { "chat",  "Hej, jeg har ikke modtaget min pakke endnu. Min e-mail er mette.jensen@example.dk og mit nummer er 22 33 44 55." },
  { "email", "Jeg vil gerne have pengene tilbage på min konto DK50 0040 0440 1162 43." },
  { "chat",  "Min ordre er blevet annulleret uden grund, og jeg har allerede betalt for den." },
  { "voice", "Jeg har prøvet at logge ind hele formiddagen, men adgangskoden virker ikke." },
  { "email", "Goedemiddag, mijn factuur klopt niet. Kunt u contact opnemen via 06-12345678 of j.devries@example.nl?" },
  { "email", "Ik wil graag met een medewerker spreken over mijn rekening NL91 ABNA 0417 1643 00." },
  { "chat",  "Mijn pakket is gisteren bezorgd maar de doos was helemaal kapot." },
  { "chat",  "Hoe lang duurt het voordat ik mijn geld terugkrijg na een retour?" },
  { "email", "Guten Tag, ich möchte meine Adresse ändern. Meine IBAN ist DE89 3704 0044 0532 0130 00." },
  { "voice", "Bitte rufen Sie mich unter +49 30 12345678 zurück, danke." },
  { "chat",  "Meine Bestellung ist seit zwei Wochen unterwegs und die Sendungsverfolgung zeigt nichts an." },
  { "email", "Sehr geehrte Damen und Herren, ich möchte meinen Vertrag fristgerecht kündigen." },
  { "chat",  "Hi, I was charged twice this month. Please refund to GB82 WEST 1234 5698 7654 32, my email is sam.taylor@example.co.uk" },
  { "api",   "Contact me at anna@example.org, my number is +44 7911 123456." },
  { "email", "My order arrived yesterday but two of the items were missing from the box." },
  { "chat",  "Is there any way to speak to someone today? I have been waiting for three days." },
}

-- Globals, so that setup() and done() can reach them per thread (thread:set / thread:get).
counter = 0
thread_id = 0
unexpected = 0
customers = tonumber(os.getenv("CANDOR_BENCH_CUSTOMERS") or "") or 1000
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_id)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local token = os.getenv("CANDOR_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

function request()
  counter = counter + 1
  local t = texts[(counter % #texts) + 1]
  local body = string.format(
    '{"customer_id":"wrk-%d","channel":"%s","text":"%s"}',
    math.random(1, customers), t[1], t[2])
  return wrk.format(nil, "/v1/messages", nil, body)
end

function response(status, headers, body)
  if status ~= 201 then
    unexpected = unexpected + 1
    if unexpected <= 3 then
      io.stderr:write(string.format("unexpected status %d: %s\n", status, body))
    end
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
  end
  io.write(string.format("answers other than 201: %d\n", bad))
  io.write(string.format("latency p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
