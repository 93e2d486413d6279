-- The proxy a feed is fetched through, when it is not the configured one (FETCH_PROXY):
-- NULL follows FETCH_PROXY, 'none' fetches directly, else a proxy URL (it may hold a
-- password, which Tocsin never prints).
ALTER TABLE feeds ADD COLUMN proxy TEXT;
