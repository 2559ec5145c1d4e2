"""日本語：ナレーションの文、章の名前、ラベル（数字は num2words で読む、共通の読み上げ規則）。"""

from __future__ import annotations

from dataclasses import replace

from articast.lang._other import other_language
from articast.lang.base import ChapterNames, Labels, Phrases

MONTHS = tuple(f"{n}月" for n in range(1, 13))

LANGUAGE = replace(
    other_language("ja"),
    name="日本語",
    phrases=Phrases(
        welcome="{show}へようこそ。",
        titled="今回のエピソードのタイトルは「{title}」です。",
        based="同じ題名の記事をもとにしています。",
        based_talk_channel=(
            "同じ題名の記事をもとにしています。記事では、{channel}による講演「{talk}」が紹介されています。"
        ),
        based_talk="同じ題名の記事をもとにしています。記事では、講演「{talk}」が紹介されています。",
        based_talk_unknown="同じ題名の記事をもとにしています。記事では、YouTubeの講演が紹介されています。",
        link_in_notes="リンクは番組ノートにあります。",
        end="今回のエピソードはここまでです。",
        full_talk_channel="{channel}による講演「{talk}」の全編は、番組ノートのリンクからご覧ください。",
        full_talk="講演「{talk}」の全編は、番組ノートのリンクからご覧ください。",
        full_talk_unknown="記事が紹介している講演の全編は、番組ノートのリンクからご覧ください。",
        thanks="{show}をお聞きいただき、ありがとうございました。",
        the_show="この番組",
        untitled="無題",
        code_note="ここで記事はコードの例を示しています。",
        table_note="ここで記事は表を示しています。",
        references_note="ここで記事は参考文献を挙げています。",
    ),
    chapters=ChapterNames(
        intro="はじめに",
        outro_talk="講演の全編",
        outro="おわりに",
        continued="{title}（続き）",
    ),
    labels=Labels(
        watch_talk="講演を見る",
        full_episode="エピソード全編を聴く",
        clips="クリップ",
        thanks="お聞きいただき、ありがとうございました",
        read_article="記事を読む",
        chapters="チャプター",
        listen="聞く",
        transcript="文字起こし",
        watch="見る",
        the_talk="講演",
        the_article="記事",
        files="ファイル",
        all_episodes="すべてのエピソード",
        episodes="エピソード",
        skip="プレーヤーへ移動",
        follow="音声に合わせて文字起こしをスクロール",
        no_transcript="このエピソードには文字起こしがありません。",
        captions="字幕",
        show_notes="番組ノート",
        by="／",
        read_by="{title}（朗読：{show}）",
        cover_art="{title}のカバーアート",
        episode_audio="エピソードの音声：{title}",
        download_audio="エピソードをダウンロード（MP3）",
        play_from="{time}から再生：{title}",
        episode_video="エピソードの動画：{title}",
        download_video="動画をダウンロード（MP4）",
        talk_thumbnail="講演「{title}」のサムネイル",
        episode_file="エピソード",
        video_file="動画",
        script_file="台本",
        feed="ポッドキャストのフィード",
        months=MONTHS,
        date="{year}年{month}{day}日",
    ),
    native=True,
)
